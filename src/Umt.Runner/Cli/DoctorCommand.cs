using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Diagnostics;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt doctor [--json]</c>: the libtorch build and whether CUDA is usable, the GPUs, the CPU and
/// its ISA features, torch threads, ffmpeg, Open MPI, SkiaSharp, the allocator settings and the
/// free disk under the run folder, on one screen. Reads the configuration (device, threads, run
/// folder) but loads no plugin. Exit 0, or 1 when a finding is an error (the configured run cannot
/// work until it is fixed); warnings leave it 0.
/// </summary>
public static class DoctorCommand
{
    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var doctor = new Command("doctor", "Explain this machine: libtorch build and CUDA, GPUs, CPU features, threads, ffmpeg, Open MPI, SkiaSharp, allocator settings, free disk.") { json };
        doctor.SetAction(parse => guarded(parse, error, services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var errors = new List<string>();
            var run = StrictOptionsBinder.Bind<RunOptions>(configuration.GetSection("Umt:Run"), errors);
            if (errors.Count > 0)
            {
                throw new ConfigurationException(errors);
            }
            string runFolder = Path.GetFullPath(run.OutputDir, services.GetRequiredService<RunnerPaths>().BaseDirectory);
            var report = Doctor.Examine(run.Device, run.Threads, runFolder, setting =>
            {
                var choice = DeviceSelection.Resolve(setting);
                return (choice.Device.ToString(), choice.Reason);
            });
            if (parse.GetValue(json))
            {
                CliJson.Write(output, ToJson(report));
            }
            else
            {
                WriteText(report, output);
            }
            return report.HasErrors ? ExitCodes.RuntimeFailure : ExitCodes.Success;
        }));
        return doctor;
    }

    private static void WriteText(DoctorReport r, TextWriter output)
    {
        // InvariantGlobalization (Directory.Build.props): numbers print with '.' in every locale.
        void Line(string label, string text) => output.WriteLine($"  {label,-10} {text}");
        var t = r.Torch;
        output.WriteLine("umt doctor");
        Line("libtorch", t.Loaded
            ? $"{t.LibTorchVersion} (TorchSharp {t.TorchSharpVersion}), backend {t.Backend} (built with UMT_TORCH_BACKEND={t.Backend})"
            : $"backend {t.Backend}, DOES NOT LOAD: {t.LoadError}");
        Line("cuda", t.CudaAvailable
            ? $"usable: {t.CudaDevices} device{(t.CudaDevices == 1 ? "" : "s")}, cuDNN {(t.CudnnAvailable ? "yes" : "no")}"
            : $"not usable{(t.Backend == "cuda" ? "" : " (CPU-only build)")}");
        Line("gpus", r.Gpus.Present
            ? $"{(r.Gpus.Names.Count > 0 ? string.Join("; ", r.Gpus.Names) : "NVIDIA driver loaded")}{(r.Gpus.Driver is null ? "" : $", driver {r.Gpus.Driver}")} ({r.Gpus.Source})"
            : $"no NVIDIA GPU ({r.Gpus.Source})");
        Line("device", r.Device is { } d ? $"Umt:Run:Device = {r.DeviceSetting} → {d} ({r.DeviceReason})" : $"Umt:Run:Device = {r.DeviceSetting}: not usable here (see below)");
        Line("cpu", $"{r.Cpu.Model}, {r.Cpu.LogicalCores} logical cores");
        Line("isa", $"{string.Join(", ", r.Cpu.Features.Select(f => $"{f.Name} {(f.Present ? "yes" : "no")}"))}");
        Line("threads", $"torch intra-op {t.IntraOpThreads}, inter-op {t.InterOpThreads}; Umt:Run:Threads = {r.ConfiguredThreads}{(r.ConfiguredThreads == 0 ? " (libtorch default)" : "")}");
        Line("ffmpeg", $"{r.Tools.Ffmpeg ?? "ffmpeg not found"}; {r.Tools.Ffprobe ?? "ffprobe not found"}");
        Line("open mpi", $"{r.Tools.Mpirun ?? "mpirun not found"}; {r.Libraries.Mpi} (only for Umt:Distributed:Backend = mpi)");
        Line("skiasharp", $"{r.Libraries.Skia}");
        Line("allocator", $"{string.Join(" ", r.Allocator.Values.Select(v => $"{v.Key}={v.Value ?? "(unset)"}"))}");
        Line("disk", $"{Gib(r.Disk.FreeBytes)} GiB free of {Gib(r.Disk.TotalBytes)} GiB on {r.Disk.MountPoint} (run folder {r.Disk.RunFolder})");
        if (r.Findings.Count == 0)
        {
            output.WriteLine("no problems found");
        }
        foreach (var finding in r.Findings)
        {
            output.WriteLine($"{(finding.Level == FindingLevel.Error ? "error" : "warning")}: {finding.Message}");
        }
    }

    private static string Gib(long bytes) => (bytes / (double)(1L << 30)).ToString("F1", CultureInfo.InvariantCulture);

    private static object ToJson(DoctorReport r) => new
    {
        Libtorch = new
        {
            r.Torch.Backend, Torchsharp = r.Torch.TorchSharpVersion, Version = r.Torch.LibTorchVersion, r.Torch.Loaded, r.Torch.LoadError,
            r.Torch.CudaAvailable, r.Torch.CudaDevices, r.Torch.CudnnAvailable,
        },
        Gpus = new { NvidiaPresent = r.Gpus.Present, r.Gpus.Names, r.Gpus.Driver, r.Gpus.Source },
        Device = new { Setting = r.DeviceSetting, Chosen = r.Device, Reason = r.DeviceReason },
        Cpu = new { r.Cpu.Model, r.Cpu.LogicalCores, Features = r.Cpu.Features.ToDictionary(f => f.Flag, f => f.Present) },
        Threads = new { IntraOp = r.Torch.IntraOpThreads, InterOp = r.Torch.InterOpThreads, Configured = r.ConfiguredThreads },
        r.Tools.Ffmpeg,
        r.Tools.Ffprobe,
        r.Tools.Mpirun,
        MpiLibrary = new { Loads = r.Libraries.MpiLoads, Detail = r.Libraries.Mpi },
        Skiasharp = new { Loads = r.Libraries.SkiaLoads, Detail = r.Libraries.Skia },
        Allocator = r.Allocator.Values,
        Disk = new { r.Disk.RunFolder, r.Disk.Measured, r.Disk.MountPoint, r.Disk.FreeBytes, r.Disk.TotalBytes },
        r.Findings,
        Ok = !r.HasErrors,
    };
}
