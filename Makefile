# mlsh - machine-learning analysis shell.
#   make            build build/mlsh and build/mlsh.so
#   make test       C unit tests + Lua tests (installs missing packages first)
#   make asan       the whole suite under AddressSanitizer + UBSan
#   make demo       install what is missing, build, run the three exercises
#   make bench      benchmarks side by side with the peer harness (../shared)
#   make deps       install the Debian packages mlsh needs
#   make install PREFIX=/usr/local
#   make CUDA=0     force a CPU-only build (default: CUDA when nvcc is found)

BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= gcc
OPT     ?= -O2
CFLAGS_EXTRA ?=
LDFLAGS_EXTRA ?=

# ---- Dependencies --------------------------------------------------------
# Each library once: its pkg-config name and the Debian packages that bring
# it (PKGS), or a header to look for when it has no .pc file (HDRS). A new
# dependency is one line here: DEB_<name> := <packages>, added to the list.
PKGS      := lua5.4 readline openblas lapacke ncursesw libjpeg libpng hdf5 fftw3 fftw3f libRmath sqlite3 xlsxwriter zlib
DEB_lua5.4   := liblua5.4-dev lua5.4
DEB_readline := libreadline-dev
DEB_openblas := libopenblas-dev
DEB_lapacke  := liblapacke-dev
DEB_ncursesw := libncurses-dev
DEB_libjpeg  := libjpeg-dev
DEB_libpng   := libpng-dev
DEB_hdf5     := libhdf5-dev
DEB_fftw3    := libfftw3-dev
DEB_fftw3f   := libfftw3-dev
DEB_libRmath := r-mathlib
DEB_sqlite3  := libsqlite3-dev
DEB_xlsxwriter := libxlsxwriter-dev
DEB_zlib     := zlib1g-dev
# libreadstat and XNNPACK ship no .pc file: their headers are looked for and the libraries linked.
HDRS      := /usr/include/libsvm/svm.h /usr/include/readstat.h /usr/include/xnnpack.h
DEB_/usr/include/libsvm/svm.h := libsvm-dev
DEB_/usr/include/readstat.h := libreadstat-dev
DEB_/usr/include/xnnpack.h := libxnnpack-dev libpthreadpool-dev
# Optional: installed by `make deps`, but the build and tests pass without
# them (the MPI plugin is then not built and the dist tests skip; without
# SimGrid the SMPI run of the K-Means iteration skips).
OPTIONAL  := openmpi simgrid
DEB_openmpi := libopenmpi-dev openmpi-bin
DEB_simgrid := simgrid libsimgrid-dev
DEB_PACKAGES := pkg-config $(foreach p,$(PKGS) $(HDRS) $(OPTIONAL),$(DEB_$(p)))

HAVE_PKGCONFIG := $(shell command -v pkg-config >/dev/null 2>&1 && echo yes)
MISSING := $(if $(HAVE_PKGCONFIG),$(foreach p,$(PKGS),$(shell pkg-config --exists $(p) || echo $(DEB_$(p)))),pkg-config)
MISSING += $(foreach h,$(HDRS),$(if $(wildcard $(h)),,$(DEB_$(h))))
MISSING := $(strip $(MISSING))

ifeq ($(MISSING),)
PC_CFLAGS := $(shell pkg-config --cflags $(PKGS))
LUA_LIBS  := $(shell pkg-config --libs lua5.4)
DEP_LIBS  := $(shell pkg-config --libs $(filter-out lua5.4 readline,$(PKGS))) -lsvm -lreadstat -lXNNPACK -lpthreadpool -lpthread -lm -ldl
RL_LIBS   := $(shell pkg-config --libs readline)
endif

# ---- CUDA ----------------------------------------------------------------
# The CUDA code is a plugin, $(BUILD)/mlsh-cuda.so, that src/nn/gpu.c loads
# with dlopen when a net asks for device = "cuda" or "auto": mlsh and
# mlsh.so never link the CUDA runtime, so they start like a shell.
NVCC ?= $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
CUDA ?= $(if $(NVCC),1,0)
CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(NVCC))
CU_SRC := $(if $(filter 1,$(CUDA)),$(wildcard src/*/*.cu))
ifneq ($(CU_SRC),)
CUDA_LIBS   := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudart -lcublas
NVCC_FLAGS  ?= -O3 -std=c++17 -Xcompiler -fPIC,-fvisibility=hidden "-Dmlsh_interrupt_flag=(*mlsh_core_interrupt_flag)" -gencode arch=compute_80,code=sm_80 \
               -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90
CUDA_PLUGIN := $(BUILD)/mlsh-cuda.so
endif

# ---- MPI -----------------------------------------------------------------
# The MPI binding is a plugin too, $(BUILD)/mlsh-mpi.so (src/dist/mpi/, built
# with mpicc when OpenMPI is installed), that src/dist/dist.c loads with
# dlopen only under mpirun or when dist.init() asks: a plain mlsh never
# links or initialises MPI. src/dist/mpi/ is not part of the core glob.
MPICC ?= $(shell command -v mpicc 2>/dev/null)
MPI ?= $(if $(MPICC),1,0)
MPI_PLUGIN := $(if $(filter 1,$(MPI)),$(BUILD)/mlsh-mpi.so)

# ---- Sources -------------------------------------------------------------
# Three layers: the core (src/<area>/, no Lua) as a static library, the
# bindings (src/lua/) and the shell (src/shell/). The C unit tests link the
# core only; the fuzz targets and the programs add the bindings and Lua.
CORE_AREAS := $(filter-out lua shell,$(notdir $(patsubst %/,%,$(wildcard src/*/))))
CORE_SRC := $(foreach a,$(CORE_AREAS),$(wildcard src/$(a)/*.c))
BIND_SRC := $(wildcard src/lua/*.c)
SH_SRC   := $(wildcard src/shell/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
BIND_OBJ := $(BIND_SRC:%.c=$(BUILD)/obj/%.o)
LIB_OBJ  := $(CORE_OBJ) $(BIND_OBJ)
CORE_LIB := $(BUILD)/libmlsh-core.a
CU_OBJ   := $(CU_SRC:%.cu=$(BUILD)/obj/%.cu.o)
SH_OBJ   := $(SH_SRC:%.c=$(BUILD)/obj/%.o)
CTEST_SRC := $(wildcard test/c/test_*.c)
CTEST_BIN := $(CTEST_SRC:test/c/%.c=$(BUILD)/test/%)
# C tests that drive the bindings (the fuzz targets' replay) link them and Lua.
CTEST_LUA := test_fuzz

WARN    := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
# Hidden by default: mlsh.so exports luaopen_mlsh and nothing else.
CFLAGS  := -std=gnu11 $(OPT) -g -fPIC -fvisibility=hidden $(WARN) -MMD -MP $(PC_CFLAGS) -I/usr/include/libsvm $(CFLAGS_EXTRA)
LDFLAGS := $(LDFLAGS_EXTRA)

.PHONY: fuzz-bins check-layers check-exports all test asan check-deps deps demo demo-interactive bench install clean ctest luatest fuzz valgrind

all: check-deps $(BUILD)/mlsh $(BUILD)/mlsh.so $(CUDA_PLUGIN) $(MPI_PLUGIN)

check-deps:
ifneq ($(MISSING),)
	@echo "mlsh: missing build dependencies: $(MISSING)"
	@echo "Install them with:  sudo apt-get update && sudo apt-get install -y $(MISSING)"
	@echo "(or run 'make deps')"
	@exit 1
endif

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	 $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $(DEB_PACKAGES)

# Quiet by default ("  CC file"); `make V=1` shows the commands.
Q = $(if $(V),,@)
say = $(if $(V),,@printf '  %-6s %s\n' $(1) $(2);)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.cu.o: %.cu
	@mkdir -p $(dir $@)
	$(call say,NVCC,$<)$(NVCC) $(NVCC_FLAGS) -MD -MF $(@:.o=.d) -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

# The whole core goes in (also what only the fuzz targets or tests call).
WHOLE_CORE = -Wl,--whole-archive $(CORE_LIB) -Wl,--no-whole-archive
$(BUILD)/mlsh: $(SH_OBJ) $(BIND_OBJ) $(CORE_LIB)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -o $@ $(SH_OBJ) $(BIND_OBJ) $(WHOLE_CORE) $(LDFLAGS) $(LUA_LIBS) $(RL_LIBS) $(DEP_LIBS)

# The Lua C module: no -llua (the host interpreter provides the Lua API).
# -z nodelete: Lua unloads C modules when its state closes, while the
# helper threads of parallel calls stay alive in this library's code.
$(BUILD)/mlsh.so: $(BIND_OBJ) $(CORE_LIB) src/lua/mlsh.map
	$(call say,LINK,$@)$(CC) $(CFLAGS) -shared -Wl,-z,nodelete -Wl,--version-script=src/lua/mlsh.map -o $@ $(BIND_OBJ) $(WHOLE_CORE) $(LDFLAGS) $(DEP_LIBS)

$(BUILD)/mlsh-cuda.so: $(CU_OBJ)
	$(call say,LINK,$@)$(CC) -shared -o $@ $^ $(LDFLAGS) $(CUDA_LIBS) -lstdc++

$(BUILD)/mlsh-mpi.so: src/dist/mpi/plugin.c src/dist/mpi/ops.h
	@mkdir -p $(dir $@)
	$(call say,MPICC,$<)$(MPICC) -std=gnu11 -O2 -g -fPIC -shared -fvisibility=hidden $(WARN) -o $@ $< -ldl

test_libs = $(if $(filter $(CTEST_LUA),$(1)),$(BIND_OBJ) $(WHOLE_CORE) $(LUA_LIBS),$(WHOLE_CORE))
$(BUILD)/test/%: test/c/%.c $(CORE_LIB) $(BIND_OBJ) test/c/ctest.h $(wildcard test/fuzz/targets.c)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -o $@ $< $(call test_libs,$*) $(LDFLAGS) $(DEP_LIBS)

# mlsh.so exports luaopen_mlsh and nothing else (part of `make test`).
check-exports: $(BUILD)/mlsh.so
	@syms=$$(nm -D --defined-only $(BUILD)/mlsh.so | awk '$$2 !~ /^[wWvV]$$/ {print $$3}' | grep -vx luaopen_mlsh); \
	 if [ -n "$$syms" ]; then echo "check-exports: mlsh.so exports more than luaopen_mlsh:" $$syms; exit 1; fi

# The core has no Lua in it: no file under src/<area>/ includes a Lua or
# binding header (part of `make test`).
check-layers:
	@bad=$$(grep -lE '#include *[<"](lua|lauxlib|lualib)\.h|#include *"\.\./lua/' $(CORE_SRC) $(wildcard $(CORE_AREAS:%=src/%/*.h)) 2>/dev/null); \
	 if [ -n "$$bad" ]; then echo "check-layers: the core includes Lua or binding headers: $$bad"; exit 1; fi

# `make test` installs missing packages first (a newcomer's first command).
test:
	@if [ -n "$(MISSING)" ]; then $(MAKE) deps; fi
	@$(MAKE) --no-print-directory all ctest-bins check-layers check-exports
	@sh test/run.sh $(BUILD)

ctest-bins: $(CTEST_BIN)

asan:
	@if [ -n "$(MISSING)" ]; then $(MAKE) deps; fi
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 CUDA=0 \
	  CFLAGS_EXTRA="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS_EXTRA="-fsanitize=address,undefined" all ctest-bins
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1 \
	 LSAN_OPTIONS=suppressions=$(CURDIR)/test/lsan.supp:print_suppressions=0 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 MLSH_SANITIZED=1 sh test/run.sh build-asan

demo:
	@if [ -n "$(MISSING)" ]; then $(MAKE) deps; fi
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh $(BUILD)

demo-interactive: all
	@MLSH_INTERACTIVE=1 sh scripts/demo.sh $(BUILD)

bench: all
	@sh scripts/bench.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mlsh/lua/mlsh \
	  $(DESTDIR)$(PREFIX)/share/mlsh/weights $(DESTDIR)$(PREFIX)/share/mlsh/datasets \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/lib/lua/5.4
	install -m 755 $(BUILD)/mlsh $(DESTDIR)$(PREFIX)/bin/mlsh
	install -m 644 $(BUILD)/mlsh.so $(DESTDIR)$(PREFIX)/lib/lua/5.4/mlsh.so
	$(if $(CUDA_PLUGIN),install -d $(DESTDIR)$(PREFIX)/lib/mlsh && install -m 644 $(CUDA_PLUGIN) $(DESTDIR)$(PREFIX)/lib/mlsh/mlsh-cuda.so)
	$(if $(MPI_PLUGIN),install -d $(DESTDIR)$(PREFIX)/lib/mlsh && install -m 644 $(MPI_PLUGIN) $(DESTDIR)$(PREFIX)/lib/mlsh/mlsh-mpi.so)
	install -m 644 lua/mlsh/*.lua $(DESTDIR)$(PREFIX)/share/mlsh/lua/mlsh/
	install -m 644 datasets/*.csv datasets/README.md $(DESTDIR)$(PREFIX)/share/mlsh/datasets/
	-install -m 644 weights/*.cfg $(DESTDIR)$(PREFIX)/share/mlsh/weights/
	install -m 644 man/mlsh.1 $(DESTDIR)$(PREFIX)/share/man/man1/mlsh.1

# libFuzzer targets (clang, libclang-rt-14-dev), built by this Makefile's
# own rules in build-fuzz/ (FUZZ=1), then run FUZZ_SECONDS each (default 60)
# by test/fuzz/run.sh.
FUZZ_TARGETS := $(shell sed -n '/^int fuzz_[a-z0-9_]*.const uint8_t/{s/^int fuzz_//;s/[^a-z0-9_].*//;p;}' test/fuzz/targets.c)
ifeq ($(FUZZ),1)
# Numeric kernels with no parser in them get edge coverage without
# comparison tracing: their loop bounds made __sanitizer_cov_trace_cmp8 ~30%
# of the options target's time, and the fuzzer has nothing to learn there.
$(BUILD)/obj/src/ts/%.o $(BUILD)/obj/src/cluster/%.o $(BUILD)/obj/src/stats/%.o: CFLAGS += -fno-sanitize-coverage=trace-cmp
endif
FUZZ_CFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined

$(BUILD)/fuzz/targets.o: test/fuzz/targets.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/fuzz/fuzz_%: test/fuzz/fuzz_main.c $(BUILD)/fuzz/targets.o $(BIND_OBJ) $(CORE_LIB)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -fsanitize=fuzzer -DFUZZ_ENTRY=fuzz_$* -o $@ $< $(BUILD)/fuzz/targets.o \
	  $(BIND_OBJ) $(WHOLE_CORE) $(LDFLAGS) $(LUA_LIBS) $(DEP_LIBS)

fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

fuzz:
	@command -v clang >/dev/null || { echo "fuzz: clang missing: apt-get install clang libclang-rt-14-dev"; exit 1; }
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang CUDA=0 FUZZ=1 OPT=-O2 \
	  CFLAGS_EXTRA="$(FUZZ_CFLAGS)" LDFLAGS_EXTRA="-fsanitize=address,undefined" fuzz-bins
	@sh test/fuzz/run.sh build-fuzz

# A representative subset of the suite under valgrind memcheck.
# CPU-only (CUDA=0): the CUDA runtime's own loader code trips memcheck at startup.
valgrind:
	@if [ -n "$(MISSING)" ]; then $(MAKE) deps; fi
	@$(MAKE) --no-print-directory BUILD=build-vg CUDA=0 all ctest-bins
	@sh test/valgrind.sh build-vg

clean:
	rm -rf build build-asan build-vg build-fuzz build-gpu .gpu

-include $(wildcard $(LIB_OBJ:.o=.d) $(SH_OBJ:.o=.d) $(CU_OBJ:.o=.d))
