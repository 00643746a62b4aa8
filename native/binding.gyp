{
  "targets": [
    {
      "target_name": "dlm_native",
      "sources": ["src/addon.c", "src/gemm.c", "src/conv.c", "src/optim.c"],
      "cflags_c": ["-std=gnu11", "-O3", "-march=native", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-ldl", "-lm"]
    }
  ]
}
