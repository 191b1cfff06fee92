using Umt.Abstractions.Hardware;

namespace Umt.Runner.Engine.Diagnostics;

/// <summary>How serious a finding is: an error is something the configured run cannot do until it is fixed (exit 1).</summary>
public enum FindingLevel
{
    Warning,
    Error,
}

public sealed record DoctorFinding(FindingLevel Level, string Message);

/// <summary>What <c>umt doctor</c> found: every probe's answer and the findings drawn from them.</summary>
/// <param name="DeviceSetting"><c>Umt:Run:Device</c> as configured.</param>
/// <param name="Device">The device a run would use (null when the setting names CUDA that is not usable: a finding says so).</param>
/// <param name="DeviceReason">Why that device (with <c>auto</c>: what was found).</param>
/// <param name="ConfiguredThreads"><c>Umt:Run:Threads</c> (0: the libtorch default shown in <see cref="TorchBuild.IntraOpThreads"/>).</param>
public sealed record DoctorReport(TorchBuild Torch, NvidiaDevices Gpus, CpuInfo Cpu, string DeviceSetting, string? Device, string? DeviceReason, int ConfiguredThreads,
    ToolVersions Tools, NativeLibraries Libraries, AllocatorSettings Allocator, DiskSpace Disk, IReadOnlyList<DoctorFinding> Findings)
{
    public bool HasErrors => Findings.Any(f => f.Level == FindingLevel.Error);
}
