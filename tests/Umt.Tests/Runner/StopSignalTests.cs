using System.Diagnostics;
using System.Text;
using Umt.Runner.Cli;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Tests.Datasets.Media;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// SIGTERM and SIGHUP stop a run as Ctrl+C does (checkpoint, 128 + signal), within a bounded time,
/// without leaving ffmpeg children behind; one writer per run folder.
/// </summary>
[Collection(nameof(SignalledTrainers))]
public sealed class StopSignalTests(ITestOutputHelper log)
{
    private static readonly string RunnerDll = Path.Combine(RepositoryPaths.Root, "src", "Umt.Runner", "bin", "Release", "net10.0", "Umt.Runner.dll");

    [Fact]
    public void The_first_signal_cancels_and_a_second_one_or_the_end_of_the_grace_time_exits_with_128_plus_its_number()
    {
        var exits = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var signals = new StopSignals(TextWriter.Null, TimeSpan.FromMilliseconds(200), exits.Enqueue);

        signals.Receive("SIGTERM", 15);

        signals.Token.IsCancellationRequested.Should().BeTrue();
        signals.ExitCode.Should().Be(143);
        signals.ExitCodeFor(ExitCodes.Interrupted).Should().Be(143, "an interrupted verb reports the signal");
        signals.ExitCodeFor(ExitCodes.RuntimeFailure).Should().Be(1);
        exits.Should().BeEmpty("the verb gets its grace time");
        SpinWait.SpinUntil(() => !exits.IsEmpty, TimeSpan.FromSeconds(10)).Should().BeTrue("the grace time bounds the stop");
        exits.Should().Equal(143);

        using var twice = new StopSignals(TextWriter.Null, TimeSpan.FromHours(1), exits.Enqueue);
        twice.Receive("SIGHUP", 1);
        twice.Receive("SIGINT", 2);
        exits.Should().Equal(143, 129); // the second signal exits at once, with the first one's code
    }

    [Fact]
    public void A_second_lock_on_a_run_folder_is_refused_naming_the_holder_and_is_free_once_the_holder_lets_go()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");

        using (var first = RunFolderLock.Acquire(run, "Umt:Run:OutputDir"))
        {
            var second = () => RunFolderLock.Acquire(run, "Umt:Run:OutputDir");
            second.Should().Throw<Umt.Runner.Engine.Configuration.ConfigurationException>()
                .WithMessage($"Umt:Run:OutputDir = {run} is in use by another umt process (pid {Environment.ProcessId} on *");
        }

        using var third = RunFolderLock.Acquire(run, "Umt:Run:OutputDir");
        third.PreviousHolder.Should().StartWith($"pid {Environment.ProcessId} ");
    }

    [Fact]
    public void SIGTERM_checkpoints_and_exits_143_a_second_trainer_is_refused_meanwhile_and_no_ffmpeg_or_decode_worker_outlives_the_run()
    {
        MediaFixtures.RequireFfmpeg();
        using var temp = new TemporaryDirectory();
        TestSupport.Umt.Run(log, "data", "synth", "--out", temp.Combine("data"), "--clips", "8", "--frames", "12").ExitCode.Should().Be(0);
        string run = temp.Combine("run");
        string[] train = ["train", "--config", temp.Combine("data", "kinetics.json"), "--set", "Umt:Run:Steps=500", "--set", "Umt:Run:BatchSize=2",
            "--set", "Umt:Run:DataWorkers=2", "--set", "Umt:Run:CheckpointEvery=1000", "--set", $"Umt:Run:OutputDir={run}",
            // One ffmpeg child per clip, whose command line names the clip: what this test watches die with the run.
            "--set", "Umt:Dataset:Options:kinetics:Decoder=ffmpeg"];

        // Graceful: the run stops at the step boundary, writes a checkpoint there and exits 143.
        var errors = new StringBuilder();
        // A grace time no loaded machine reaches: this part checks the stop at the step boundary (the test below checks the grace time).
        using (var process = Start(train, errors, grace: "600"))
        {
            WaitFor(() => ChildrenDecoding(temp.Path).Any() || process.HasExited, "an ffmpeg child decoding a clip");
            var second = TestSupport.Umt.Run(log, train);
            second.ExitCode.Should().Be(ExitCodes.ConfigurationError);
            second.Error.Should().Contain($"is in use by another umt process (pid {process.Id} on");

            Signals.Send(process.Id, Signals.Terminate);
            bool exited = process.WaitForExit(120_000);
            lock (errors)
            {
                log.WriteLine(errors.ToString());
            }
            exited.Should().BeTrue("the stop is bounded");
            process.ExitCode.Should().Be(143);
        }
        var stopped = new CheckpointStore(run).Latest();
        stopped.Should().NotBeNull("SIGTERM writes a checkpoint at the step boundary");
        stopped!.State.Step.Should().BeGreaterThan(0).And.BeLessThan(500);
        WaitFor(() => !ChildrenDecoding(temp.Path).Any(), "no ffmpeg left after a graceful stop");

        // Immediate: a second signal while ffmpeg runs ends the process at once, and its children with it.
        var resumedOutput = new StringBuilder();
        using (var process = Start([.. train, "--resume"], resumedOutput))
        {
            WaitFor(() => ChildrenDecoding(temp.Path).Any(p => p.Parent == process.Id) || process.HasExited, "an ffmpeg child of the resumed run");
            HangUpTwice(process, resumedOutput);
            process.WaitForExit(60_000).Should().BeTrue();
            process.ExitCode.Should().Be(129);
        }
        WaitFor(() => !ChildrenDecoding(temp.Path).Any(), "no ffmpeg re-parented to init and left running");
        new CheckpointStore(run).Latest()!.State.Step.Should().BeGreaterThanOrEqualTo(stopped.State.Step);

        // Immediate, with the default decoder: the long-lived decode workers end with the trainer.
        string[] withWorkers = [.. train[..^2], "--set", $"Umt:Run:OutputDir={temp.Combine("run-workers")}"];
        var workersOutput = new StringBuilder();
        using (var process = Start(withWorkers, workersOutput))
        {
            WaitFor(() => DecodeWorkers().Any(p => p.Parent == process.Id) || process.HasExited, "a decode worker of the trainer");
            var workers = DecodeWorkers().Where(p => p.Parent == process.Id).Select(p => p.Id).ToList();
            HangUpTwice(process, workersOutput);
            process.WaitForExit(60_000).Should().BeTrue();
            process.ExitCode.Should().Be(129);
            workers.Should().NotBeEmpty();
            WaitFor(() => !DecodeWorkers().Any(p => workers.Contains(p.Id)), "no decode worker re-parented to init and left running");
        }
    }

    [Fact]
    public void A_grace_time_that_ends_inside_a_step_exits_143_not_with_a_crash_in_libtorchs_teardown()
    {
        // Before ProcessEnd, libc's exit tore down oneDNN under the main thread's bf16 matmul: two of
        // three such stops died with SIGSEGV (139). Three trainers at once make a miss unlikely.
        using var temp = new TemporaryDirectory();
        var trainers = Enumerable.Range(0, 3).Select(i => (Output: new StringBuilder(), Run: temp.Combine($"run{i}"))).ToList();
        var processes = trainers.Select(t => Start(["train", "--set", "Umt:Run:Steps=500", "--set", $"Umt:Run:OutputDir={t.Run}"], t.Output, grace: "0.2")).ToList();
        try
        {
            for (int i = 0; i < processes.Count; i++)
            {
                var (output, process) = (trainers[i].Output, processes[i]);
                // The first step (teacher, student, backward) follows this line: the grace time ends inside it.
                WaitFor(() => Contains(output, "Training 500 steps") || process.HasExited, "the training loop");
                Thread.Sleep(500 * i);
                Signals.Send(processes[i].Id, Signals.Terminate);
            }
            foreach (var (process, trainer) in processes.Zip(trainers))
            {
                process.WaitForExit(60_000).Should().BeTrue("the grace time bounds the stop");
                process.WaitForExit(); // drains the redirected output
                lock (trainer.Output)
                {
                    log.WriteLine($"exit {process.ExitCode}:\n{trainer.Output}");
                    // Usually the grace time ends the step; a step that ends within 0.2 s stops at its boundary instead. Either way: 143.
                    trainer.Output.ToString().Should().Contain("SIGTERM received");
                }
            }
            processes.Select(p => p.ExitCode).Should().Equal([143, 143, 143], "the grace time ran out mid-step; the exit must still be SIGTERM's, not a crash");
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
                process.Dispose();
            }
        }
    }

    /// <summary>
    /// Starts a trainer whose stdout and stderr are drained as they come (a full pipe would block it),
    /// both into <paramref name="output"/>; <paramref name="grace"/> sets its stop grace time in seconds.
    /// </summary>
    private Process Start(string[] arguments, StringBuilder? output = null, string? grace = null)
    {
        var start = new ProcessStartInfo("dotnet", [RunnerDll, .. arguments, "--repo", RepositoryPaths.Root])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (grace is not null)
        {
            start.Environment[StopSignals.GraceVariable] = grace;
        }
        var process = Process.Start(start)!;
        DataReceivedEventHandler collect = (_, line) =>
        {
            if (line.Data is not null && output is not null)
            {
                lock (output)
                {
                    output.AppendLine(line.Data);
                }
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// The immediate stop: a second SIGHUP once the first is acknowledged. Two sent back to back can
    /// both be pending before the trainer runs on a loaded machine, and a standard signal pending
    /// twice is delivered once: the stop was then the graceful one, bounded by the step, not at once.
    /// </summary>
    private static void HangUpTwice(Process process, StringBuilder output)
    {
        Signals.Send(process.Id, Signals.Hangup);
        SpinWait.SpinUntil(() => { Thread.Sleep(5); return Contains(output, "SIGHUP received") || process.HasExited; }, TimeSpan.FromSeconds(120))
            .Should().BeTrue($"the first SIGHUP is acknowledged (or ends the process); the trainer: {SignalState(process.Id)}");
        Signals.Send(process.Id, Signals.Hangup);
    }

    /// <summary>The process's state and signal masks from /proc (blocked, ignored, caught, pending), for a failure message.</summary>
    private static string SignalState(int pid)
    {
        string status = $"/proc/{pid}/status";
        return File.Exists(status)
            ? string.Join("; ", File.ReadLines(status).Where(l => l.StartsWith("State:", StringComparison.Ordinal) || l.StartsWith("Threads:", StringComparison.Ordinal) || l.StartsWith("Sig", StringComparison.Ordinal) || l.StartsWith("ShdPnd:", StringComparison.Ordinal)).Select(l => l.Replace('\t', ' ')))
            : "gone";
    }

    private static bool Contains(StringBuilder output, string text)
    {
        lock (output)
        {
            return output.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    private static void WaitFor(Func<bool> condition, string what) =>
        SpinWait.SpinUntil(() => { Thread.Sleep(5); return condition(); }, TimeSpan.FromSeconds(120)).Should().BeTrue($"waited for {what}");

    /// <summary>ffmpeg processes reading files under <paramref name="folder"/>, with their parent process id.</summary>
    private static List<(int Id, int Parent)> ChildrenDecoding(string folder) =>
        // The program itself is ffmpeg (the trainer's own command line names the ffmpeg decoder).
        Running(arguments => Path.GetFileName(arguments[0]) == "ffmpeg" && arguments.Any(a => a.Contains(folder, StringComparison.Ordinal)));

    /// <summary>Decode worker processes (<c>dotnet exec …/Umt.DecodeWorker.dll</c>), with their parent process id.</summary>
    private static List<(int Id, int Parent)> DecodeWorkers() =>
        Running(arguments => arguments.Any(a => a.EndsWith("Umt.DecodeWorker.dll", StringComparison.Ordinal)));

    /// <summary>Live (not zombie) processes whose command line matches, with their parent process id.</summary>
    private static List<(int Id, int Parent)> Running(Func<string[], bool> matches)
    {
        var found = new List<(int, int)>();
        foreach (string entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out int pid))
            {
                continue;
            }
            try
            {
                string[] arguments = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(entry, "cmdline"))).Split('\0');
                if (matches(arguments))
                {
                    string status = File.ReadAllText(Path.Combine(entry, "status"));
                    if (status.Contains("State:\tZ", StringComparison.Ordinal))
                    {
                        continue; // a zombie has exited; its parent reaps it
                    }
                    int parent = int.Parse(status.Split('\n').First(l => l.StartsWith("PPid:", StringComparison.Ordinal))[5..].Trim());
                    found.Add((pid, parent));
                }
            }
            catch (IOException)
            {
                // the process ended while being read
            }
        }
        return found;
    }
}
