{
  "targets": [
    {
      "target_name": "torch_ts_native",
      "sources": [
        "src/addon.cc",
        "src/checks.cc",
        "src/exports.cc",
        "src/pool.cc",
        "src/gemm.cc",
        "src/gemm_avx2.cc",
        "src/gemm_portable.cc",
        "src/elementwise.cc",
        "src/optim.cc",
        "src/random.cc",
        "src/malloc_tune.cc"
      ],
      "cflags!": ["-O0", "-O2"],
      "cflags_cc!": ["-std=gnu++17", "-O0", "-O2"],
      "cflags": ["-O3", "-fno-math-errno", "-ffp-contract=off"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-ffp-contract=off"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CPLUSPLUSFLAGS": ["-fno-math-errno", "-ffp-contract=off"]
      }
    }
  ]
}
