-- test/lua/test_image.lua - the image module from Lua.
-- Reference: ../shared/reference/flowers/inputs_subset_uint8.npy (Pillow 9.4
-- as Keras' load_img: convert RGB, resize 224x224 NEAREST; see its README).
local T = dofile("test/lua/harness.lua")

local write = require("mlsh.util").write

T.test("load and resize match Keras' loader on the reference photos", function()
  local ref = T.shared("reference/flowers/inputs_subset_uint8.npy")
  if not ref then T.skip("../shared/reference/flowers not found (set MLSH_SHARED)") end
  local f = assert(io.open(ref, "rb"))
  local size = f:seek("end")
  f:close()
  local n = 224 * 224 * 3
  local R = mat.read_raw(ref, 5, n, { dtype = "u8", offset = size - 5 * n })
  local k = 0
  for line in io.lines(T.shared("reference/flowers/inputs_subset_paths.txt")) do
    k = k + 1
    local img = image.load(T.shared("data/flower_photos/" .. line))
    local x = img:resize(224, 224):to_matrix()
    T.eq(x:rows(), 224); T.eq(x:cols(), 224 * 3)
    local bad = 0
    for i = 1, 224 do
      for j = 1, 224 * 3, 7 do   -- every 7th byte keeps the test quick; the C test checks all
        if x:get(i, j) ~= R:get(k, (i - 1) * 672 + j) then bad = bad + 1 end
      end
    end
    T.eq(bad, 0, line)
  end
  T.eq(k, 5)
end)

T.test("load_resized, pixel and to_matrix layouts agree", function()
  local p = T.shared("data/flower_photos/daisy/100080576_f52e8ee070_n.jpg")
  if not p then T.skip("../shared photos not found") end
  local img = image.load(p)
  T.eq(img:width(), 320); T.eq(img:height(), 263)
  local small = image.load_resized(p, 9, 7)
  T.eq(tostring(small), "Image 9x7 RGB")
  local r, g, b = small:pixel(3, 2)
  local hwc, chw = small:to_matrix(), small:to_matrix { layout = "chw", scale = 2, shift = 1 }
  T.eq(hwc:get(2, 7), r); T.eq(hwc:get(2, 8), g); T.eq(hwc:get(2, 9), b)
  T.eq(chw:get(1, 0 * 63 + 9 + 3), 2 * r + 1)
  T.eq(chw:get(1, 2 * 63 + 9 + 3), 2 * b + 1)
  local bl = img:resize(160, 131, { filter = "bilinear" })
  T.eq(bl:width(), 160)
end)

T.test("image.list walks class folders in sorted order", function()
  local d = T.shared("data/flower_photos")
  if not d then T.skip("../shared/data/flower_photos not found") end
  local paths, classes = image.list(d)
  T.eq(#paths, 3670); T.eq(#classes, 3670)
  T.eq(classes[1], "daisy"); T.eq(classes[3670], "tulips")
  T.ok(paths[1]:find("daisy/100080576_f52e8ee070_n.jpg", 1, true))
  for i = 2, #paths do
    if classes[i] == classes[i - 1] and paths[i] <= paths[i - 1] then T.ok(false, "not sorted at " .. i) end
  end
end)

T.test("bad files and arguments raise clear errors", function()
  T.raises(function() image.load("/nonexistent/x.jpg") end, "image.load: cannot open '/nonexistent/x.jpg'")
  local tmp = T.tmpname(".jpg")
  write(tmp, "this is not an image")
  T.raises(function() image.load(tmp) end, "not a JPEG or PNG")
  write(tmp, "\255\216\255\224\0\16JFIF\0\1\1\0\0\1\0\1\0\0")   -- a JPEG header and nothing else
  T.raises(function() image.load(tmp) end, "JPEG")
  local p = T.shared("data/flower_photos/daisy/100080576_f52e8ee070_n.jpg")
  if p then
    local bytes = assert(io.open(p, "rb")):read("a")
    write(tmp, bytes:sub(1, #bytes // 2))
    T.raises(function() image.load(tmp) end, "truncated JPEG")
    T.raises(function() image.decode(bytes:sub(1, 300)) end, "image.decode:")
    local img = image.decode(bytes)
    T.raises(function() img:resize(0, 10) end, "Image:resize")
    T.raises(function() img:resize(10, 10, { filter = "lanczos" }) end, "filter")
    T.raises(function() img:pixel(321, 1) end, "Image:pixel")
  end
  os.remove(tmp)
  T.raises(function() image.list("/nonexistent-folder") end, "image.list: cannot open folder")
  T.raises(function() image.decode({}) end, "image.decode: argument 'bytes'")
end)

T.done()
