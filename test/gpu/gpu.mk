# gpu.mk - builds test/gpu/gpucheck with the main Makefile's objects and
# flags (used by test/gpu/pack.sh):  make -f test/gpu/gpu.mk build/gpucheck
include Makefile

$(BUILD)/gpucheck: test/gpu/gpucheck.c $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LUA_LIBS) $(DEP_LIBS)
