// Header-only module: LLVMFuzzerRunDriver comes from libclang_rt.fuzzer.
#include "CFuzzerDriver.h"
