// The header's functions are all inline; SwiftPM needs one source file to build the target.
#include "RuntimeIntrinsics.h"
