# make_npz.py - writes the .npz fixtures of test/lua/test_files_io.lua with
# Python's own zipfile module, laid out as numpy's np.savez / savez_compressed
# do (numpy/lib/npyio.py _savez: one "<name>.npy" member per array, opened
# with force_zip64=True). The .npy members follow the format of NEP 1
# (numpy/lib/format.py, version 1.0 headers padded to 64 bytes).
#   python3 make_npz.py
import struct, zipfile

def npy(descr, shape, values, fmt, fortran=False):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", "(%s)" % "".join("%d, " % s for s in shape).rstrip(" ") if len(shape) != 1 else "(%d,)" % shape[0])
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"".join(struct.pack(fmt, v) for v in values)

arrays = {
    # a 2 x 3 float64 matrix, C order: [[1, 2, 3], [4, 5, 6.5]]
    "X": npy("<f8", (2, 3), [1, 2, 3, 4, 5, 6.5], "<d"),
    # a 1-D int32 vector [10, -20, 30]
    "y": npy("<i4", (3,), [10, -20, 30], "<i"),
    # a 2 x 2 float32 matrix in Fortran order: [[1, 2], [3, 4]] stored column by column
    "F": npy("<f4", (2, 2), [1, 3, 2, 4], "<f", fortran=True),
}
for name, method in (("savez.npz", zipfile.ZIP_STORED), ("savez_compressed.npz", zipfile.ZIP_DEFLATED)):
    with zipfile.ZipFile(name, "w", compression=method, allowZip64=True) as z:
        for key, data in arrays.items():
            with z.open(key + ".npy", "w", force_zip64=True) as f:
                f.write(data)
