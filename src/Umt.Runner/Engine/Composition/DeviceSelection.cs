using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Diagnostics;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Composition;

/// <summary>The device a run uses and why (logged at the start of training, shown by <c>umt validate</c> and <c>umt doctor</c>).</summary>
public sealed record DeviceChoice(Device Device, string Reason);

/// <summary>Maps <c>Umt:Run:Device</c> to a TorchSharp device.</summary>
public static class DeviceSelection
{
    /// <param name="localRank">This process's rank on its machine: with <c>auto</c>, process r of a machine takes GPU r (one process per GPU, as torchrun's LOCAL_RANK convention).</param>
    public static DeviceChoice Resolve(string setting, int localRank = 0)
    {
        if (setting == "auto")
        {
            bool available = cuda.is_available();
            return Auto(available, available ? cuda.device_count() : 0, localRank, TorchBuild.BuiltBackend, available ? null : NvidiaDevices.Probe());
        }
        if (setting.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
        {
            throw new ConfigurationException($"Umt:Run:Device is '{setting}' but CUDA is not usable: {WhyNoCuda(TorchBuild.BuiltBackend, NvidiaDevices.Probe())}. Use 'auto' or 'cpu' (umt doctor explains the machine).");
        }
        return new DeviceChoice(new Device(setting), $"Umt:Run:Device = {setting}");
    }

    /// <summary>What <c>auto</c> picks: GPU <c>localRank mod count</c> when CUDA is usable, else the CPU, with the reason.</summary>
    /// <param name="gpus">The NVIDIA devices found, when CUDA is not usable (to say why).</param>
    public static DeviceChoice Auto(bool cudaAvailable, int deviceCount, int localRank, string backend, NvidiaDevices? gpus)
    {
        if (cudaAvailable)
        {
            int index = localRank % Math.Max(1, deviceCount);
            return new DeviceChoice(new Device(TorchSharp.DeviceType.CUDA, index),
                $"auto: CUDA is usable ({deviceCount} device{(deviceCount == 1 ? "" : "s")}), local rank {localRank} takes cuda:{index}");
        }
        return new DeviceChoice(CPU, $"auto: the CPU, since {WhyNoCuda(backend, gpus)}");
    }

    private static string WhyNoCuda(string backend, NvidiaDevices? gpus)
    {
        bool gpu = gpus?.Present == true;
        return (backend, gpu) switch
        {
            ("cuda", true) => "this build carries the CUDA libtorch and an NVIDIA driver is loaded, but libtorch finds no usable device (a driver without CUDA 12.8 support, or no device visible to this process)",
            ("cuda", false) => "this build carries the CUDA libtorch but no NVIDIA driver is loaded",
            (_, true) => "this build's libtorch is CPU-only although an NVIDIA GPU is present (rebuild with UMT_TORCH_BACKEND=cuda, README \"GPU set-up\")",
            _ => "this build's libtorch is CPU-only and no NVIDIA GPU is present",
        };
    }
}
