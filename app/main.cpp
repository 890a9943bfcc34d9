// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Commands.h"

int main(int argc, char** argv) { return lightbox::cli::runCommandLine(argc, argv); }
