// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_exit CODE: exits with status CODE (0..255).
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fputs("usage: pc_exit CODE\n", stderr);
    return 2;
  }
  return atoi(argv[1]);
}
