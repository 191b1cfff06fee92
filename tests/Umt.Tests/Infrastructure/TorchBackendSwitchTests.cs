using System.Diagnostics;
using System.Text.Json;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Infrastructure;

/// <summary>
/// build/TorchBackend.props: UmtTorchBackend (or UMT_TORCH_BACKEND) picks the libtorch package.
/// The CUDA package cannot be restored here, so these read MSBuild's evaluated items, which
/// needs no restore.
/// </summary>
public sealed class TorchBackendSwitchTests(ITestOutputHelper log)
{
    private const string Cpu = "libtorch-cpu-linux-x64";
    private const string Cuda = "libtorch-cuda-12.8-linux-x64";
    private static readonly string Runner = Path.Combine("src", "Umt.Runner", "Umt.Runner.csproj");
    private static readonly string Tests = Path.Combine("tests", "Umt.Tests", "Umt.Tests.csproj");

    [Fact]
    public void Each_backend_value_gives_its_libtorch_package_reference_in_the_runner_and_the_tests_without_restoring()
    {
        // No setting at all: cpu.
        var byDefault = Evaluate(Runner, environment: null, "-getItem:PackageReference", "-getItem:PackageVersion", "-getProperty:UmtTorchBackend");
        byDefault.Backend.Should().Be("cpu");
        byDefault.LibTorch.Should().Equal(Cpu);

        // The property, as -p: passes it.
        var property = Evaluate(Runner, environment: null, "-p:UmtTorchBackend=cuda", "-getItem:PackageReference", "-getItem:PackageVersion", "-getProperty:UmtTorchBackend");
        property.Backend.Should().Be("cuda");
        property.LibTorch.Should().Equal(Cuda);
        property.Versions.Should().Contain(Cuda, "2.10.0", "the CUDA 12.8 build of the libtorch TorchSharp 0.107.0 binds").And.Contain(Cpu, "2.10.0");

        // The environment variable build/env.sh exports for ./umt and ./test.sh, in the tests' project.
        var environment = Evaluate(Tests, environment: "cuda", "-getItem:PackageReference", "-getItem:PackageVersion", "-getProperty:UmtTorchBackend");
        environment.Backend.Should().Be("cuda");
        environment.LibTorch.Should().Equal(Cuda);
    }

    [Fact]
    public void An_unknown_backend_stops_the_build_naming_the_setting_and_the_valid_values()
    {
        var (code, output) = MsBuild(Runner, environment: "rocm", "-t:UmtCheckTorchBackend", "-nodeReuse:false");

        code.Should().NotBe(0);
        output.Should().Contain("UmtTorchBackend (environment variable UMT_TORCH_BACKEND) is 'rocm'; valid values: cpu (libtorch-cpu-linux-x64, the default), cuda (libtorch-cuda-12.8-linux-x64).");
    }

    private sealed record Evaluation(string Backend, IReadOnlyList<string> LibTorch, IReadOnlyDictionary<string, string> Versions);

    private Evaluation Evaluate(string project, string? environment, params string[] arguments)
    {
        var (code, output) = MsBuild(project, environment, arguments);
        code.Should().Be(0, output);
        using var json = JsonDocument.Parse(output);
        var items = json.RootElement.GetProperty("Items");
        var references = items.GetProperty("PackageReference").EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!).ToList();
        var versions = items.GetProperty("PackageVersion").EnumerateArray()
            .ToDictionary(i => i.GetProperty("Identity").GetString()!, i => i.GetProperty("Version").GetString()!);
        return new Evaluation(json.RootElement.GetProperty("Properties").GetProperty("UmtTorchBackend").GetString()!,
            [.. references.Where(r => r.StartsWith("libtorch", StringComparison.Ordinal))], versions);
    }

    /// <param name="environment">UMT_TORCH_BACKEND for the child, or null to remove it (the test run may inherit build/env.sh's).</param>
    private (int Code, string Output) MsBuild(string project, string? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("msbuild");
        start.ArgumentList.Add(project);
        start.ArgumentList.Add("-nologo");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Remove("UmtTorchBackend");
        if (environment is null)
        {
            start.Environment.Remove("UMT_TORCH_BACKEND");
        }
        else
        {
            start.Environment["UMT_TORCH_BACKEND"] = environment;
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(TimeSpan.FromMinutes(2)).Should().BeTrue("evaluating a project takes seconds");
        log.WriteLine($"dotnet msbuild {project} {string.Join(' ', arguments)} (UMT_TORCH_BACKEND={environment ?? "unset"}) → {process.ExitCode} in {clock.Elapsed.TotalSeconds:F1} s");
        return (process.ExitCode, output + error.Result);
    }
}
