# WAMR platform layer for bare-metal mps2-an386 (used through SHARED_PLATFORM_CONFIG).
set (PLATFORM_SHARED_DIR ${CMAKE_CURRENT_LIST_DIR})
add_definitions(-DBH_PLATFORM_MPS2)
include_directories(${PLATFORM_SHARED_DIR})
include_directories(${WAMR_ROOT_DIR}/core/shared/platform/include)
set (PLATFORM_SHARED_SOURCE ${PLATFORM_SHARED_DIR}/mps2_platform.c)
