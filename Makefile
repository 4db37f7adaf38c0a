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

# ---- Dependencies (pkg-config name = Debian package) ----------------------
PKGS      := lua5.4 readline openblas lapacke ncursesw libjpeg libpng hdf5 fftw3
DEB_lua5.4   := liblua5.4-dev lua5.4
DEB_readline := libreadline-dev
DEB_openblas := libopenblas-dev
DEB_lapacke  := liblapacke-dev
DEB_ncursesw := libncurses-dev
DEB_libjpeg  := libjpeg-dev
DEB_libpng   := libpng-dev
DEB_hdf5     := libhdf5-dev
DEB_fftw3    := libfftw3-dev
DEB_PACKAGES := pkg-config liblua5.4-dev lua5.4 libreadline-dev libopenblas-dev liblapacke-dev \
                libncurses-dev libjpeg-dev libpng-dev libhdf5-dev libfftw3-dev libsvm-dev

HAVE_PKGCONFIG := $(shell command -v pkg-config >/dev/null 2>&1 && echo yes)
MISSING := $(if $(HAVE_PKGCONFIG),$(foreach p,$(PKGS),$(shell pkg-config --exists $(p) || echo $(DEB_$(p)))),pkg-config)
MISSING += $(if $(wildcard /usr/include/libsvm/svm.h),,libsvm-dev)
MISSING := $(strip $(MISSING))

ifeq ($(MISSING),)
PC_CFLAGS := $(shell pkg-config --cflags $(PKGS))
LUA_LIBS  := $(shell pkg-config --libs lua5.4)
DEP_LIBS  := $(shell pkg-config --libs openblas lapacke ncursesw libjpeg libpng hdf5 fftw3) -lsvm -lpthread -lm -ldl
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
NVCC_FLAGS  ?= -O3 -std=c++17 -Xcompiler -fPIC -gencode arch=compute_80,code=sm_80 \
               -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90
CUDA_PLUGIN := $(BUILD)/mlsh-cuda.so
endif

# ---- Sources -------------------------------------------------------------
AREAS    := core data stats cluster ts learn nn image plot lua
LIB_SRC  := $(foreach a,$(AREAS),$(wildcard src/$(a)/*.c))
SH_SRC   := $(wildcard src/shell/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CU_OBJ   := $(CU_SRC:%.cu=$(BUILD)/obj/%.cu.o)
SH_OBJ   := $(SH_SRC:%.c=$(BUILD)/obj/%.o)
CTEST_SRC := $(wildcard test/c/test_*.c)
CTEST_BIN := $(CTEST_SRC:test/c/%.c=$(BUILD)/test/%)

WARN    := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS  := -std=gnu11 $(OPT) -g -fPIC $(WARN) -MMD -MP $(PC_CFLAGS) -I/usr/include/libsvm $(CFLAGS_EXTRA)
LDFLAGS := $(LDFLAGS_EXTRA)

.PHONY: all test asan check-deps deps demo demo-interactive bench install clean ctest luatest fuzz valgrind

all: check-deps $(BUILD)/mlsh $(BUILD)/mlsh.so $(CUDA_PLUGIN)

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

# -rdynamic: the CUDA plugin resolves the core's symbols in the program.
$(BUILD)/mlsh: $(LIB_OBJ) $(SH_OBJ)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -rdynamic -o $@ $^ $(LDFLAGS) $(LUA_LIBS) $(RL_LIBS) $(DEP_LIBS)

# The Lua C module: no -llua (the host interpreter provides the Lua API).
$(BUILD)/mlsh.so: $(LIB_OBJ)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -shared -o $@ $^ $(LDFLAGS) $(DEP_LIBS)

$(BUILD)/mlsh-cuda.so: $(CU_OBJ)
	$(call say,LINK,$@)$(CC) -shared -o $@ $^ $(LDFLAGS) $(CUDA_LIBS) -lstdc++

$(BUILD)/test/%: test/c/%.c $(LIB_OBJ) test/c/ctest.h $(wildcard test/fuzz/targets.c)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -rdynamic -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LUA_LIBS) $(DEP_LIBS)

# `make test` installs missing packages first (a newcomer's first command).
test:
	@if [ -n "$(MISSING)" ]; then $(MAKE) deps; fi
	@$(MAKE) --no-print-directory all ctest-bins
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
	install -m 644 lua/mlsh/*.lua $(DESTDIR)$(PREFIX)/share/mlsh/lua/mlsh/
	install -m 644 datasets/*.csv datasets/README.md $(DESTDIR)$(PREFIX)/share/mlsh/datasets/
	-install -m 644 weights/*.cfg $(DESTDIR)$(PREFIX)/share/mlsh/weights/
	install -m 644 man/mlsh.1 $(DESTDIR)$(PREFIX)/share/man/man1/mlsh.1

# libFuzzer targets (clang, libclang-rt-14-dev): FUZZ_SECONDS per target (default 60).
fuzz:
	@sh test/fuzz/run.sh

# A representative subset of the suite under valgrind memcheck.
# CPU-only (CUDA=0): the CUDA runtime's own loader code trips memcheck at startup.
valgrind:
	@if [ -n "$(MISSING)" ]; then $(MAKE) deps; fi
	@$(MAKE) --no-print-directory BUILD=build-vg CUDA=0 all ctest-bins
	@sh test/valgrind.sh build-vg

clean:
	rm -rf build build-asan build-vg build-fuzz build-gpu .gpu

-include $(wildcard $(LIB_OBJ:.o=.d) $(SH_OBJ:.o=.d) $(CU_OBJ:.o=.d))
