-- lua/mlsh/image.lua - the Lua side of the image module.
local M, mlsh = ...
local doc = mlsh.doc

-- image.load_resized(path, width, height, {filter}): Keras' load_img(target_size=...).
function M.load_resized(path, width, height, opts)
  if type(path) ~= "string" then error("image.load_resized: argument 'path' must be a string (got " .. type(path) .. ")", 2) end
  for _, a in ipairs({ { "width", width }, { "height", height } }) do
    if math.type(a[2]) ~= "integer" and not (type(a[2]) == "number" and a[2] == math.floor(a[2])) then
      error("image.load_resized: argument '" .. a[1] .. "' must be an integer (got " .. tostring(a[2]) .. ")", 2)
    end
  end
  local img = M.load(path)
  if img:width() == width and img:height() == height then return img end
  return img:resize(width, height, opts)
end
M.load_resized = doc(M.load_resized, "image.load_resized", "image.load_resized(path, width, height, {filter=\"nearest\"})",
  "Load an image and resize it (Pillow's NEAREST by default), as Keras' load_img(path, target_size=(h, w)) does.\n"
  .. "Returns: an Image.\nExample: img = image.load_resized(\"a.jpg\", 224, 224)")
