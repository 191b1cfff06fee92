using Umt.Runner.Configuration;
using static TorchSharp.torch;

namespace Umt.Runner.Composition;

/// <summary>Maps <c>Umt:Run:Device</c> to a TorchSharp device.</summary>
public static class DeviceSelection
{
    public static Device Resolve(string setting)
    {
        if (setting == "auto")
        {
            return cuda.is_available() ? CUDA : CPU;
        }
        if (setting.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
        {
            throw new ConfigurationException($"Umt:Run:Device is '{setting}' but CUDA is not available in this build/machine; use 'auto' or 'cpu'.");
        }
        return new Device(setting);
    }
}
