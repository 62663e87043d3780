// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_noop: does nothing and exits 0 (the smallest possible run).
int main(void) { return 0; }
