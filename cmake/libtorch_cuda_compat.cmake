# Included right after project() by scripts/build.sh --libtorch. A pip or pytorch.org LibTorch with CUDA links
# its targets to CUDA::<lib> targets from FindCUDAToolkit; CUDA 13 has no libnvToolsExt, and a trimmed toolkit
# (a cluster module) may lack others, so generation fails with "target CUDA::X not found". At the end of the
# top-level folder, each missing one becomes an empty interface target: libtorch_cuda.so finds its CUDA
# libraries at run time itself (RPATH or LD_LIBRARY_PATH).
function(ganbench_fill_missing_cuda_targets)
  foreach(lib nvToolsExt cudart cudart_static cuda_driver cufft curand cublas cublasLt cusparse cusolver nvrtc
              nvJitLink cupti nvml cufile cusparseLt cudss)
    if(NOT TARGET CUDA::${lib})
      add_library(CUDA::${lib} INTERFACE IMPORTED GLOBAL)
      message(STATUS "ganbench: CUDA::${lib} not in this toolkit; an empty stand-in")
    endif()
  endforeach()
endfunction()
if(NOT CMAKE_VERSION VERSION_LESS 3.19)
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL ganbench_fill_missing_cuda_targets)
endif()
