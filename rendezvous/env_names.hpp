// The worker environment contract: every variable name the launcher sets for
// its workers and the runtime reads back, spelled once. Names follow torchrun
// and HF Accelerate exactly so that `torch.distributed.init_process_group
// ("env://")` and `accelerate.Accelerator()` work unchanged under accel.
//
// Header-only and dependency-free so supervisor, cli and runtime can share it.
#pragma once

namespace accel::env {

// --- torchrun / torch.distributed.elastic -----------------------------------
inline constexpr const char* kRank = "RANK";
inline constexpr const char* kLocalRank = "LOCAL_RANK";
inline constexpr const char* kWorldSize = "WORLD_SIZE";
inline constexpr const char* kLocalWorldSize = "LOCAL_WORLD_SIZE";
inline constexpr const char* kGroupRank = "GROUP_RANK";
inline constexpr const char* kGroupWorldSize = "GROUP_WORLD_SIZE";
inline constexpr const char* kRoleRank = "ROLE_RANK";
inline constexpr const char* kRoleName = "ROLE_NAME";
inline constexpr const char* kRoleWorldSize = "ROLE_WORLD_SIZE";
inline constexpr const char* kMasterAddr = "MASTER_ADDR";
inline constexpr const char* kMasterPort = "MASTER_PORT";
inline constexpr const char* kRestartCount = "TORCHELASTIC_RESTART_COUNT";
inline constexpr const char* kMaxRestarts = "TORCHELASTIC_MAX_RESTARTS";
inline constexpr const char* kRunId = "TORCHELASTIC_RUN_ID";
inline constexpr const char* kTorchNcclAsyncErrorHandling = "TORCH_NCCL_ASYNC_ERROR_HANDLING";
// Set by torchrun's launcher process for its workers (torch's signal handling
// in elastic multiprocessing reads it); accel sets it on the torchrun paths.
inline constexpr const char* kTorchelasticSignalsToHandle = "TORCHELASTIC_SIGNALS_TO_HANDLE";
inline constexpr const char* kTorchrunSignalsToHandle = "SIGTERM,SIGINT,SIGHUP,SIGQUIT";

// --- threading and devices ---------------------------------------------------
inline constexpr const char* kOmpNumThreads = "OMP_NUM_THREADS";
inline constexpr const char* kKmpAffinity = "KMP_AFFINITY";
inline constexpr const char* kKmpBlocktime = "KMP_BLOCKTIME";
inline constexpr const char* kCudaVisibleDevices = "CUDA_VISIBLE_DEVICES";
inline constexpr const char* kPythonUnbuffered = "PYTHONUNBUFFERED";
inline constexpr const char* kPythonPath = "PYTHONPATH";

// --- HF Accelerate (prefixes: each key of a paradigm's config becomes one
// variable, e.g. fsdp_config.fsdp_sharding_strategy -> FSDP_SHARDING_STRATEGY)
inline constexpr const char* kAccelerateMixedPrecision = "ACCELERATE_MIXED_PRECISION";
inline constexpr const char* kAccelerateDebugMode = "ACCELERATE_DEBUG_MODE";
inline constexpr const char* kAccelerateUseCpu = "ACCELERATE_USE_CPU";
inline constexpr const char* kAccelerateUseFsdp = "ACCELERATE_USE_FSDP";
inline constexpr const char* kAccelerateUseDeepspeed = "ACCELERATE_USE_DEEPSPEED";
inline constexpr const char* kAccelerateGradientAccumulationSteps =
    "ACCELERATE_GRADIENT_ACCUMULATION_STEPS";
inline constexpr const char* kAccelerateDynamoPrefix = "ACCELERATE_DYNAMO_";
inline constexpr const char* kAccelerateFp8Prefix = "ACCELERATE_FP8_";
inline constexpr const char* kAccelerateCpuAffinity = "ACCELERATE_CPU_AFFINITY";
inline constexpr const char* kAccelerateConfigDsFields = "ACCELERATE_CONFIG_DS_FIELDS";
inline constexpr const char* kAccelerateGradientClipping = "ACCELERATE_GRADIENT_CLIPPING";
inline constexpr const char* kAccelerateDeepspeedPrefix = "ACCELERATE_DEEPSPEED_";
inline constexpr const char* kFsdpPrefix = "FSDP_";

// The interface gloo binds and advertises. accel sets it for several
// machines (unless the user did): without it gloo advertises whatever the
// hostname resolves to, 127.0.1.1 on stock Debian, and peers cannot connect.
inline constexpr const char* kGlooSocketIfname = "GLOO_SOCKET_IFNAME";

// --- accel's own, read by libaccel -------------------------------------------
inline constexpr const char* kAccelStoreAddr = "ACCEL_STORE_ADDR";
inline constexpr const char* kAccelStorePort = "ACCEL_STORE_PORT";
inline constexpr const char* kAccelJobId = "ACCEL_JOB_ID";
inline constexpr const char* kAccelJobToken = "ACCEL_JOB_TOKEN";
inline constexpr const char* kAccelNodeRank = "ACCEL_NODE_RANK";
inline constexpr const char* kAccelLocalDevice = "ACCEL_LOCAL_DEVICE";

// --- read by the launcher itself ---------------------------------------------
inline constexpr const char* kAccelPython = "ACCEL_PYTHON";

}  // namespace accel::env
