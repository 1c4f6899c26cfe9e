# Sourced by the GPU scripts that run device collectives (nccl.sh,
# train_mlp.sh): which NCCL the runtime loads. The system's libnccl.so.2
# when the dynamic linker finds one, else the toolkit's, else the one
# PyTorch's wheel carries (exported as ACCEL_NCCL_LIBRARY). Needs $python.
if [ -z "${ACCEL_NCCL_LIBRARY:-}" ] && ! ldconfig -p 2>/dev/null | grep -q 'libnccl\.so\.2 '; then
  for candidate in /usr/local/cuda/lib/libnccl.so.2 /usr/local/cuda/lib64/libnccl.so.2 \
      "$("$python" -c 'import nvidia.nccl, os; print(os.path.join(nvidia.nccl.__path__[0], "lib", "libnccl.so.2"))' 2>/dev/null)"; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then export ACCEL_NCCL_LIBRARY=$candidate; break; fi
  done
fi
echo "== NCCL for libaccel: ${ACCEL_NCCL_LIBRARY:-libnccl.so.2 as the dynamic linker finds it}"
