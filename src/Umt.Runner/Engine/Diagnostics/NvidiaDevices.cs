namespace Umt.Runner.Engine.Diagnostics;

/// <summary>
/// The NVIDIA GPUs the machine has, whatever libtorch this build carries: the kernel driver's
/// <c>/proc/driver/nvidia</c> and <c>nvidia-smi</c>. TorchSharp binds no device-name query, so the
/// names come from here.
/// </summary>
/// <param name="Present">The driver is loaded (<c>/proc/driver/nvidia</c>) or <c>nvidia-smi</c> lists a GPU.</param>
/// <param name="Names">One entry per GPU (name and memory where nvidia-smi answers).</param>
/// <param name="Driver">The driver's version line, or null.</param>
/// <param name="Source">Where the names came from.</param>
public sealed record NvidiaDevices(bool Present, IReadOnlyList<string> Names, string? Driver, string Source)
{
    public const string ProcDriver = "/proc/driver/nvidia";

    public static NvidiaDevices Probe()
    {
        bool driver = Directory.Exists(ProcDriver);
        var smi = CommandProbe.Lines("nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader");
        if (smi is { Count: > 0 })
        {
            var fields = smi.Select(l => l.Split(',', StringSplitOptions.TrimEntries)).ToList();
            return new NvidiaDevices(true, [.. fields.Select(f => f.Length >= 2 ? $"{f[0]} ({f[1]})" : f[0])], fields[0].Length >= 3 ? fields[0][2] : null, "nvidia-smi");
        }
        if (!driver)
        {
            return new NvidiaDevices(false, [], null, CommandProbe.Which("nvidia-smi") is null ? "no /proc/driver/nvidia, no nvidia-smi" : "no /proc/driver/nvidia, nvidia-smi fails");
        }
        return new NvidiaDevices(true, ProcModels(), ProcVersion(), ProcDriver);
    }

    /// <summary>The <c>Model:</c> line of each <c>/proc/driver/nvidia/gpus/*/information</c>.</summary>
    private static List<string> ProcModels()
    {
        string gpus = Path.Combine(ProcDriver, "gpus");
        if (!Directory.Exists(gpus))
        {
            return [];
        }
        return [.. Directory.GetDirectories(gpus).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "information"))
            .Where(File.Exists)
            .Select(f => File.ReadLines(f).FirstOrDefault(l => l.StartsWith("Model:", StringComparison.Ordinal))?["Model:".Length..].Trim() ?? "unknown model")];
    }

    private static string? ProcVersion()
    {
        string file = Path.Combine(ProcDriver, "version");
        return File.Exists(file) ? File.ReadLines(file).FirstOrDefault()?.Trim() : null;
    }
}
