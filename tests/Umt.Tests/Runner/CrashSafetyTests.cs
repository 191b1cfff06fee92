using System.Diagnostics;
using Umt.Models.Weights;
using Umt.Runner.Engine.Checkpoints;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>SIGKILL during training, at moments spread over steps and checkpoint writes, never leaves a torn checkpoint behind `latest`.</summary>
public sealed class CrashSafetyTests(ITestOutputHelper log)
{
    private static readonly string RunnerDll = Path.Combine(RepositoryPaths.Root, "src", "Umt.Runner", "bin", "Release", "net10.0", "Umt.Runner.dll");

    private static string[] Arguments(string run, bool resume) =>
    [
        "train", "--config", "configs/videomae.json",
        "--set", "Umt:Run:Steps=40", "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:DataWorkers=1",
        "--set", "Umt:Model:Depth=2", "--set", "Umt:Objectives:mae-pixels:Options:DecoderDepth=1",
        "--set", "Umt:Run:CheckpointEvery=1", "--set", "Umt:Run:KeepCheckpoints=2", "--set", $"Umt:Run:OutputDir={run}",
        .. resume ? new[] { "--resume" } : [],
    ];

    [Fact]
    public void Killing_the_process_at_any_moment_leaves_latest_naming_a_complete_checkpoint()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        var store = new CheckpointStore(run);
        var delays = new Random(7);

        for (int kill = 0; kill < 3; kill++)
        {
            bool resume = store.Latest() is not null;
            using var process = Process.Start(new ProcessStartInfo("dotnet", [RunnerDll, .. Arguments(run, resume), "--repo", RepositoryPaths.Root]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // Wait for a first checkpoint of this sitting, then kill at a random moment within the next steps.
            long before = store.Latest()?.State.Step ?? 0;
            var clock = Stopwatch.StartNew();
            while ((store.Latest()?.State.Step ?? 0) <= before && clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
                Thread.Sleep(20);
            }
            Thread.Sleep(delays.Next(0, 400));
            process.Kill(entireProcessTree: true);
            process.WaitForExit();

            var latest = store.Latest();
            latest.Should().NotBeNull("a checkpoint was complete before the kill");
            File.ReadAllText(Path.Combine(run, "latest")).Trim().Should().Be(Path.GetFileName(latest!.Directory), "latest names a complete checkpoint, not a fallback");
            using var scope = NewDisposeScope();
            SafetensorsFile.Read(latest.ModelFile).Should().NotBeEmpty();
            SafetensorsFile.Read(latest.OptimizerFile).Should().NotBeEmpty();
            latest.State.Losses.Should().HaveCount((int)latest.State.Step);
            log.WriteLine($"kill {kill}: latest = {Path.GetFileName(latest.Directory)}");
        }

        var finish = TestSupport.Umt.Run(log, Arguments(run, resume: true));
        finish.ExitCode.Should().Be(0);
        store.Latest()!.State.Step.Should().Be(40);
        Directory.GetDirectories(run, "*.partial-*").Should().BeEmpty();
    }
}
