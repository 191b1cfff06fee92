using Umt.Runner.Engine.Configuration;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Composition;

/// <summary>Maps <c>Umt:Run:Device</c> to a TorchSharp device.</summary>
public static class DeviceSelection
{
    /// <param name="localRank">This process's rank on its machine: with <c>auto</c>, process r of a machine takes GPU r (one process per GPU, as torchrun's LOCAL_RANK convention).</param>
    public static Device Resolve(string setting, int localRank = 0)
    {
        if (setting == "auto")
        {
            return cuda.is_available() ? new Device(TorchSharp.DeviceType.CUDA, localRank % Math.Max(1, cuda.device_count())) : CPU;
        }
        if (setting.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
        {
            throw new ConfigurationException($"Umt:Run:Device is '{setting}' but CUDA is not available in this build/machine; use 'auto' or 'cpu'.");
        }
        return new Device(setting);
    }
}
