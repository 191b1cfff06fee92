using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;
using static Umt.Tests.TestSupport.DataParallelRuns;

namespace Umt.Tests.Distributed;

/// <summary>
/// Data-parallel jobs across two "nodes" of this machine (<c>tests/two-node/two-node.sh</c>: two
/// network namespaces joined by a veth pair, the remote rank started through Open MPI's rsh
/// launcher, only the TCP transport allowed): the same weights as one process, no shared memory
/// between the nodes, and a node's failure ends the job and leaves a run that resumes.
/// </summary>
public sealed partial class TwoNodeTests(ITestOutputHelper log)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Objectives => ["umt-alignment", "vtc"];

    [Theory]
    [MemberData(nameof(Objectives))]
    public void Over_TCP_two_nodes_with_batch_b_end_with_the_weights_of_one_process_with_batch_2b(string objective)
    {
        var clock = Stopwatch.StartNew();
        string[] recipe = Recipe(objective);
        using var scratch = new TemporaryDirectory();
        string parallel = Path.Combine(scratch.Path, "parallel"), single = Path.Combine(scratch.Path, "single");

        RunTwoNode(["train", .. recipe, .. Common(parallel, 2), "--set", "Umt:Distributed:Backend=mpi"]).ExitCode.Should().Be(0);
        var alone = TestSupport.Umt.Run(log, ["train", .. recipe, .. Common(single, 4)]);
        alone.ExitCode.Should().Be(0, alone.All);

        double difference = RelativeDifference(Model(parallel), Model(single));
        log.WriteLine($"{objective} over TCP between two namespaces: relative difference of the weights after 5 steps = {difference:E2} ({clock.Elapsed.TotalSeconds:F1} s)");
        difference.Should().BeLessThan(Tolerance);
        Losses(parallel).Should().Equal(Losses(single), (a, b) => Math.Abs(a - b) <= 1e-4 * Math.Abs(b));
    }

    [Fact]
    public void The_nodes_share_no_memory_the_check_crosses_the_veth_pair_and_without_TCP_the_ranks_cannot_reach_each_other()
    {
        var clock = Stopwatch.StartNew();
        const int Megabytes = 4;
        var tcp = RunTwoNode(["distributed", "check", "--json", "--megabytes", $"{Megabytes}", "--set", "Umt:Distributed:Backend=mpi"]);
        tcp.ExitCode.Should().Be(0, tcp.All);
        using var report = JsonDocument.Parse(tcp.Output.Trim().Split('\n')[^1]);
        var transport = report.RootElement.GetProperty("transport");
        transport.GetProperty("nodes").GetInt32().Should().Be(2);
        transport.GetProperty("within_node").ValueKind.Should().Be(JsonValueKind.Null, "no node runs two processes");
        transport.GetProperty("between_nodes").GetString().Should().Be("TCP on umtnet0 (btl tcp,self, pml ob1)");
        report.RootElement.GetProperty("all_reduce_latency_microseconds").GetDouble().Should().BePositive();

        // Each all-reduce of the timing (a warm-up and 5) moves every process's buffer across: the
        // bytes each node's end of the veth pair sent can only come from the job's TCP traffic.
        var sent = SentBytes().Matches(tcp.Error).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        sent.Should().HaveCount(2, tcp.Error);
        sent.Should().OnlyContain(bytes => bytes >= 6L * Megabytes * (1 << 20));

        // Without the TCP transport Open MPI finds no way between the nodes: shared memory is not one.
        var withoutTcp = RunTwoNode(["distributed", "check", "--megabytes", "1", "--set", "Umt:Distributed:Backend=mpi"], btl: "self,vader");
        withoutTcp.ExitCode.Should().NotBe(0);
        withoutTcp.All.Should().Contain("unable to reach each other");
        log.WriteLine($"({clock.Elapsed.TotalSeconds:F1} s)");
    }

    [Fact]
    public async Task Killing_the_remote_nodes_rank_ends_the_job_within_60_s_and_one_command_resumes_it()
    {
        var clock = Stopwatch.StartNew();
        using var scratch = new TemporaryDirectory();
        string run = Path.Combine(scratch.Path, "run");
        string[] train = ["train", .. Alignment, .. Common(run, 2), "--set", "Umt:Run:Steps=1000", "--set", "Umt:Run:CheckpointEvery=2", "--set", "Umt:Distributed:Backend=mpi"];
        using var job = Process.Start(MpiJob.TwoNodeStartInfo(train))!;
        var output = job.StandardOutput.ReadToEndAsync();
        var error = job.StandardError.ReadToEndAsync();
        try
        {
            // Once the first checkpoint is written (its folder appears whole, by a rename), the remote rank dies as a lost node's would.
            while (!Directory.Exists(Path.Combine(run, "checkpoint-2")))
            {
                clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(90), "the job should reach its first checkpoint");
                job.HasExited.Should().BeFalse("the job trains until rank 1 is killed");
                await Task.Delay(200);
            }
            Process.GetProcessById(RankProcess(1, run)).Kill();
            var stopped = Stopwatch.StartNew();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await job.WaitForExitAsync(limit.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            job.HasExited.Should().BeTrue("the surviving node must not wait forever in its next all-reduce");
            string said = await error + await output;
            log.WriteLine($"job ended {stopped.Elapsed.TotalSeconds:F1} s after rank 1 was killed, exit {job.ExitCode}\n{said}");
            job.ExitCode.Should().NotBe(0);
            said.Should().MatchRegex(@"process rank 1 with PID \d+ on node 198\.18\.0\.2 exited on signal 9", "mpirun names the rank, the node and the signal");
        }
        finally
        {
            MpiJob.Stop(job);
        }

        // The same command with --resume continues from the last checkpoint (a few steps, to keep the test short).
        long resumedFrom = long.Parse(Path.GetFileName(LastCheckpoint(run))["checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        long until = resumedFrom + 2;
        RunTwoNode([.. train, "--resume", "--stop-after", $"{until}"]).ExitCode.Should().Be(0);
        Path.GetFileName(LastCheckpoint(run)).Should().Be($"checkpoint-{until}");
        log.WriteLine($"resumed from step {resumedFrom} to {until} ({clock.Elapsed.TotalSeconds:F1} s)");
    }

    [Fact]
    public void Without_permission_to_create_namespaces_the_harness_fails_with_the_reason_in_one_line()
    {
        // The unprivileged user nobody, without capabilities, as in a container that is not privileged.
        var start = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "bash", MpiJob.TwoNodeScript, "--", "true"])
        {
            start.ArgumentList.Add(a);
        }
        var result = MpiJob.Run(log, start, TimeSpan.FromSeconds(30));
        result.ExitCode.Should().Be(TwoNodeSetupFailed);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("two-node: removed", StringComparison.Ordinal)).ToList();
        lines.Should().ContainSingle().Which.Should().StartWith("two-node: cannot create network namespaces (ip netns add:");
    }

    /// <summary>The harness's exit status when this machine cannot make the namespaces.</summary>
    private const int TwoNodeSetupFailed = 3;

    /// <summary>A job through the harness; where the namespaces cannot be made the test fails with the harness's one-line reason.</summary>
    private MpiJob.Result RunTwoNode(string[] args, string btl = "tcp,self")
    {
        var result = MpiJob.Run(log, MpiJob.TwoNodeStartInfo(args, btl), JobTimeout);
        if (result.ExitCode == TwoNodeSetupFailed && result.Error.Contains("two-node: cannot create network namespaces", StringComparison.Ordinal))
        {
            throw new XunitException(result.Error.Split('\n').First(l => l.StartsWith("two-node: cannot", StringComparison.Ordinal)));
        }
        var made = Regex.Matches(result.Error, @"two-node: nodes (\S+) .* and (\S+) ").SelectMany(m => new[] { m.Groups[1].Value, m.Groups[2].Value }).ToList();
        made.Should().HaveCount(2, result.Error);
        NetworkNamespaces().Should().NotContain(made, "the harness removes what it made");
        return result;
    }

    private static List<string> NetworkNamespaces()
    {
        var start = new ProcessStartInfo("ip", ["netns", "list"]) { RedirectStandardOutput = true };
        using var ip = Process.Start(start)!;
        string listed = ip.StandardOutput.ReadToEnd();
        ip.WaitForExit();
        return [.. listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0])];
    }

    [GeneratedRegex(@"two-node: \S+ umtnet0 (\d+) bytes sent")]
    private static partial Regex SentBytes();
}
