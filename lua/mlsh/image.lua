-- lua/mlsh/image.lua - the Lua side of the image module.
local M, mlsh = ...
local doc = mlsh.doc

-- image.load_resized(path, width, height [, opts]): Keras' load_img(target_size=...).
mlsh.declare_options("image.load_resized", {}, "Image:resize")

function M.load_resized(path, width, height, opts)
  opts = mlsh.check_options("image.load_resized", opts)
  if type(path) ~= "string" then error("image.load_resized: argument 'path' must be a string (got " .. type(path) .. ")", 0) end
  for _, a in ipairs({ { "width", width }, { "height", height } }) do
    if type(a[2]) ~= "number" or not math.tointeger(a[2]) or a[2] < 1 then
      error("image.load_resized: argument '" .. a[1] .. "' must be a positive integer (got " .. tostring(a[2]) .. ")", 0)
    end
  end
  local img = M.load(path)
  if img:width() == width and img:height() == height then return img end
  return img:resize(width, height, opts)
end
M.load_resized = doc(M.load_resized, "image.load_resized", "image.load_resized(path, width, height [, opts])",
  "Load an image and resize it, as Keras' load_img(path, target_size=(h, w)) does; takes Image:resize's options.\n"
  .. "Returns: an Image.\nExample: img = image.load_resized(\"a.jpg\", 224, 224)")
