#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt's FuzzerInterface.h): parses libFuzzer's flags from argv and calls
// `callback` with each input. SwiftPM links executables with its own `main`, so libFuzzer's never runs.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
