using System.Globalization;
using Umt.Abstractions.Hardware;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Engine.Diagnostics;

/// <summary>Runs every probe of <c>umt doctor</c> and draws the findings: what will not work here, and what runs slower than it could.</summary>
public static class Doctor
{
    /// <summary>Below this much free space under the run folder a run may stop at a checkpoint (a B/16 checkpoint with optimizer state is about 1 GB).</summary>
    public const long LowDiskBytes = 5L << 30;

    /// <param name="resolveDevice">
    /// What <c>Umt:Run:Device</c> resolves to and why (the composition's device selection, passed in
    /// so the probes do not depend on the composition that uses them); a
    /// <see cref="ConfigurationException"/> becomes an error finding.
    /// </param>
    public static DoctorReport Examine(string deviceSetting, int configuredThreads, string runFolder, Func<string, (string Device, string Reason)> resolveDevice)
    {
        var torchBuild = TorchBuild.Probe();
        var gpus = NvidiaDevices.Probe();
        (string Device, string Reason)? device = null;
        string? deviceError = null;
        if (torchBuild.Loaded)
        {
            try
            {
                device = resolveDevice(deviceSetting);
            }
            catch (ConfigurationException e)
            {
                deviceError = string.Join(" ", e.Errors);
            }
        }
        var tools = ToolVersions.Probe();
        var libraries = NativeLibraries.Probe();
        var allocator = AllocatorSettings.FromEnvironment();
        var disk = DiskSpace.Probe(runFolder);
        var findings = Findings(torchBuild, gpus, deviceError, tools, libraries, allocator, disk);
        return new DoctorReport(torchBuild, gpus, CpuInfo.Read(), deviceSetting, device?.Device, device?.Reason, configuredThreads, tools, libraries, allocator, disk, findings);
    }

    public static List<DoctorFinding> Findings(TorchBuild torchBuild, NvidiaDevices gpus, string? deviceError, ToolVersions tools,
        NativeLibraries libraries, AllocatorSettings allocator, DiskSpace disk)
    {
        var findings = new List<DoctorFinding>();
        void Error(string message) => findings.Add(new DoctorFinding(FindingLevel.Error, message));
        void Warning(string message) => findings.Add(new DoctorFinding(FindingLevel.Warning, message));

        if (!torchBuild.Loaded)
        {
            Error($"libtorch does not load ({torchBuild.LoadError}); nothing can train. Rebuild (./umt builds) and see README \"Why TorchSharp loads on Debian 12\".");
        }
        if (deviceError is not null)
        {
            Error(deviceError);
        }
        if (torchBuild.Loaded && gpus.Present && torchBuild.Backend != "cuda")
        {
            Warning($"An NVIDIA GPU is present ({(gpus.Names.Count > 0 ? string.Join(", ", gpus.Names) : gpus.Source)}) but this build's libtorch is CPU-only: runs use the CPU. Rebuild with UMT_TORCH_BACKEND=cuda (README \"GPU set-up\").");
        }
        if (torchBuild.Loaded && torchBuild.Backend == "cuda" && !torchBuild.CudaAvailable)
        {
            Warning($"This build carries the CUDA libtorch but CUDA is not usable here ({(gpus.Present ? "the NVIDIA driver is loaded: check that it supports CUDA 12.8, the \"CUDA Version\" nvidia-smi prints" : "no NVIDIA driver")}): runs use the CPU.");
        }
        if (tools.Ffmpeg is null || tools.Ffprobe is null)
        {
            Warning("ffmpeg/ffprobe not found on PATH: the video datasets (kinetics, ssv2, webvid) will not load; the embedded synthetic default does not need them. Install Debian's ffmpeg (./umt does as root).");
        }
        if (!libraries.SkiaLoads)
        {
            Warning($"{libraries.Skia}: the image datasets (cc3m) and the PNG figures of umt compare and umt mask will fail.");
        }
        if (allocator.Unset.Count > 0)
        {
            Warning($"{string.Join(", ", allocator.Unset)} unset (not started through ./umt): resident memory may grow step after step. Start with ./umt or `source build/env.sh`.");
        }
        if (disk.FreeBytes < LowDiskBytes)
        {
            Warning(string.Create(CultureInfo.InvariantCulture, $"Only {disk.FreeBytes / (double)(1L << 30):F1} GiB free under {disk.Measured}: checkpoints of a large run may not fit."));
        }
        return findings;
    }
}
