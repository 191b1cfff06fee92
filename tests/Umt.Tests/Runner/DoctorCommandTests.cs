using System.Text.Json;
using Umt.Abstractions.Hardware;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Diagnostics;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary><c>umt doctor</c>: the machine on one screen, <c>--json</c> for tools, and the findings drawn from the probes.</summary>
public sealed class DoctorCommandTests(ITestOutputHelper log)
{
    [Fact]
    public void Doctor_json_parses_and_agrees_with_proc_cpuinfo_torch_and_df()
    {
        var result = TestSupport.Umt.Run(log, "doctor", "--json");

        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        var cpu = root.GetProperty("cpu");
        // /proc/cpuinfo read here on its own: the first block's flags, one "processor" line per logical CPU.
        string[] procLines = File.ReadAllLines("/proc/cpuinfo");
        var flags = procLines.First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        cpu.GetProperty("logical_cores").GetInt32().Should().Be(procLines.Count(l => l.StartsWith("processor", StringComparison.Ordinal)));
        var features = cpu.GetProperty("features").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean());
        features.Keys.Should().BeEquivalentTo(["avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16"]);
        foreach (var (flag, present) in features)
        {
            present.Should().Be(flags.Contains(flag), flag);
        }

        var libtorch = root.GetProperty("libtorch");
        libtorch.GetProperty("loaded").GetBoolean().Should().BeTrue();
        libtorch.GetProperty("backend").GetString().Should().BeOneOf("cpu", "cuda");
        libtorch.GetProperty("cuda_available").GetBoolean().Should().Be(cuda.is_available());
        root.GetProperty("threads").GetProperty("intra_op").GetInt32().Should().Be(get_num_threads());
        root.GetProperty("device").GetProperty("chosen").GetString().Should().Be(cuda.is_available() ? "cuda:0" : "cpu");

        // Free space against df on the folder measured (other processes write meanwhile: within 1 GiB).
        var disk = root.GetProperty("disk");
        disk.GetProperty("run_folder").GetString().Should().Be(Path.Combine(RepositoryPaths.Root, "runs", "default"));
        long dfFree = long.Parse(CommandProbe.Lines("df", "-B1", "--output=avail", disk.GetProperty("measured").GetString()!)![1]);
        disk.GetProperty("free_bytes").GetInt64().Should().BeCloseTo(dfFree, 1L << 30);

        root.GetProperty("ok").GetBoolean().Should().Be(result.ExitCode == ExitCodes.Success);
        root.GetProperty("findings").ValueKind.Should().Be(JsonValueKind.Array);
    }

    [Fact]
    public void Doctor_fits_one_screen_and_names_every_probe()
    {
        var result = TestSupport.Umt.Run(log, "doctor");

        result.ExitCode.Should().Be(ExitCodes.Success, "nothing on this machine stops the default run");
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.Should().BeLessThanOrEqualTo(24);
        foreach (string label in new[] { "libtorch", "cuda", "gpus", "device", "cpu", "isa", "threads", "ffmpeg", "open mpi", "skiasharp", "allocator", "disk" })
        {
            lines.Should().Contain(l => l.StartsWith($"  {label} ", StringComparison.Ordinal), label);
        }
    }

    [Fact]
    public void Asking_for_cuda_is_an_error_where_it_is_not_usable_and_a_bad_setting_a_configuration_error()
    {
        var result = TestSupport.Umt.Run(log, "doctor", "--set", "Umt:Run:Device=cuda");
        if (cuda.is_available())
        {
            result.ExitCode.Should().Be(ExitCodes.Success);
            result.Output.Should().Contain("Umt:Run:Device = cuda → cuda");
        }
        else
        {
            result.ExitCode.Should().Be(ExitCodes.RuntimeFailure);
            result.Output.Should().Contain("error: Umt:Run:Device is 'cuda' but CUDA is not usable: this build");
        }

        TestSupport.Umt.Run(log, "doctor", "--set", "Umt:Run:Threads=many").ExitCode.Should().Be(ExitCodes.ConfigurationError);
    }

    [Fact]
    public void An_NVIDIA_GPU_beside_a_CPU_only_build_is_a_warning_and_a_libtorch_that_does_not_load_an_error()
    {
        var h100 = new NvidiaDevices(true, ["NVIDIA H100 80GB HBM3 (81559 MiB)"], "570.124.06", "nvidia-smi");
        var none = new NvidiaDevices(false, [], null, "no /proc/driver/nvidia, no nvidia-smi");
        var cpuBuild = new TorchBuild("cpu", "0.107.0", "2.10.0", null, false, 0, false, 2, 1);
        var cudaBuild = cpuBuild with { Backend = "cuda" };
        var tools = new ToolVersions("ffmpeg version 5.1", "ffprobe version 5.1", null);
        var libraries = new NativeLibraries(false, "libmpi.so.40 does not load", true, "libSkiaSharp loads");
        var allocator = new AllocatorSettings(AllocatorSettings.Watched.ToDictionary(w => w.Name, w => (string?)w.Expected));
        var disk = new DiskSpace("/r/runs/default", "/r", "/", 100L << 30, 200L << 30);

        var gpuOnCpuBuild = Doctor.Findings(cpuBuild, h100, null, tools, libraries, allocator, disk);
        gpuOnCpuBuild.Should().ContainSingle().Which.Should().Match<DoctorFinding>(f => f.Level == FindingLevel.Warning
            && f.Message.Contains("NVIDIA H100 80GB HBM3") && f.Message.Contains("CPU-only") && f.Message.Contains("UMT_TORCH_BACKEND=cuda"));
        Doctor.Findings(cpuBuild, none, null, tools, libraries, allocator, disk).Should().BeEmpty("no GPU, nothing missing that the default run needs");
        Doctor.Findings(cudaBuild, none, null, tools, libraries, allocator, disk).Should().ContainSingle()
            .Which.Message.Should().StartWith("This build carries the CUDA libtorch but CUDA is not usable here (no NVIDIA driver)");

        var broken = Doctor.Findings(cpuBuild with { LoadError = "libLibTorchSharp.so: cannot open" }, none, null, tools with { Ffmpeg = null },
            libraries, allocator with { Values = new Dictionary<string, string?> { ["MALLOC_ARENA_MAX"] = null } }, disk with { FreeBytes = 1L << 30 });
        broken.Select(f => f.Level).Should().Equal(FindingLevel.Error, FindingLevel.Warning, FindingLevel.Warning, FindingLevel.Warning);
        broken[0].Message.Should().Contain("libtorch does not load (libLibTorchSharp.so: cannot open)");
        broken[1].Message.Should().StartWith("ffmpeg/ffprobe not found");
        broken[2].Message.Should().StartWith("MALLOC_ARENA_MAX unset");
        broken[3].Message.Should().StartWith("Only 1.0 GiB free under /r");
    }

    [Fact]
    public void Auto_takes_the_local_ranks_GPU_when_CUDA_is_usable_and_says_why_it_takes_the_CPU_otherwise()
    {
        var h100 = new NvidiaDevices(true, ["NVIDIA H100"], null, "nvidia-smi");

        var gpu = DeviceSelection.Auto(cudaAvailable: true, deviceCount: 2, localRank: 3, backend: "cuda", gpus: null);
        gpu.Device.type.Should().Be(TorchSharp.DeviceType.CUDA);
        gpu.Device.index.Should().Be(1);
        gpu.Reason.Should().Be("auto: CUDA is usable (2 devices), local rank 3 takes cuda:1");

        var cpuBuild = DeviceSelection.Auto(false, 0, 0, "cpu", h100);
        cpuBuild.Device.type.Should().Be(TorchSharp.DeviceType.CPU);
        cpuBuild.Reason.Should().Contain("CPU-only although an NVIDIA GPU is present (rebuild with UMT_TORCH_BACKEND=cuda");
        DeviceSelection.Auto(false, 0, 0, "cuda", h100 with { Present = false }).Reason.Should().Be("auto: the CPU, since this build carries the CUDA libtorch but no NVIDIA driver is loaded");
    }

    [Fact]
    public void Cpuinfo_is_read_from_its_first_block_and_counts_every_processor()
    {
        const string text = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: fpu avx2 avx512f avx512_bf16 amx_tile amx_bf16\n\n"
            + "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: fpu avx2\n";

        var info = CpuInfo.Parse(text);

        info.Model.Should().Be("Intel(R) Xeon(R) Platinum 8480+");
        info.LogicalCores.Should().Be(2);
        info.Features.Where(f => f.Present).Select(f => f.Name).Should().Equal("AVX2", "AVX-512", "AVX512-BF16", "AMX-TILE", "AMX-BF16");
    }
}
