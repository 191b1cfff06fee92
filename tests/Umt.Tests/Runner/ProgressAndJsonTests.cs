using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Umt.Tests.Datasets.Media;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>One tiny run (2 steps) shared by the tests of <see cref="ProgressAndJsonTests"/>.</summary>
public sealed class TinyTrainedRun : IDisposable
{
    public TinyTrainedRun()
    {
        var clock = Stopwatch.StartNew();
        Run = Temp.Combine("run");
        Train = TestSupport.Umt.Run(null, "train", "--json", "--set", "Umt:Run:Steps=2", "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:WarmupSteps=0",
            "--set", "Umt:Run:DataWorkers=1", "--set", $"Umt:Run:OutputDir={Run}");
        Seconds = clock.Elapsed.TotalSeconds;
    }

    public TemporaryDirectory Temp { get; } = new();

    public string Run { get; }

    public TestSupport.Umt.Result Train { get; }

    public double Seconds { get; }

    public void Dispose() => Temp.Dispose();
}

/// <summary>
/// Issue 19 items 1, 2 and 8 through the real command line, captured as a pipe would see it: every
/// long verb writes plain progress lines with counts on standard error (a captured writer is not a
/// terminal), each <c>--json</c> is one parseable object on standard output holding the README's
/// fields, and <c>--help</c> says <c>umt</c>, names its placeholders and shows an example per verb.
/// </summary>
public sealed class ProgressAndJsonTests(TinyTrainedRun trained, ITestOutputHelper log) : IClassFixture<TinyTrainedRun>
{
    /// <summary>The renderer's plain line: <c>label: done/total unit (p%), rate unit/s, ETA m:ss[, detail]</c>.</summary>
    private static List<(long Done, long Total, string Line)> Progress(string error, string label, string unit) =>
        [.. error.Split('\n')
            .Select(line => (Line: line, Match: Regex.Match(line, $@"^{Regex.Escape(label)}: (\d+)/(\d+) {unit} \(\d+%\), [-+.\deE]+ {unit}/s, ETA ((\d+:)?\d+:\d\d|\?)")))
            .Where(m => m.Match.Success)
            .Select(m => (long.Parse(m.Match.Groups[1].Value), long.Parse(m.Match.Groups[2].Value), m.Line))];

    private static void ShouldEndComplete(List<(long Done, long Total, string Line)> lines, long total, string because)
    {
        lines.Should().NotBeEmpty(because);
        lines.Should().OnlyContain(l => l.Total == total && l.Done <= total, because);
        lines[^1].Done.Should().Be(total, because);
        lines.Select(l => l.Done).Should().BeInAscendingOrder(because);
    }

    private TestSupport.Umt.Result Run(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var result = TestSupport.Umt.Run(log, args);
        log.WriteLine($"[{clock.Elapsed.TotalSeconds:F1} s] umt {string.Join(' ', args)}");
        return result;
    }

    [Fact]
    public void Train_reports_steps_as_progress_lines_and_its_summary_as_json()
    {
        log.WriteLine($"[{trained.Seconds:F1} s] umt train --json (fixture)");
        var result = trained.Train;
        result.ExitCode.Should().Be(0, result.All);
        ShouldEndComplete(Progress(result.Error, "train", "steps"), 2, "train counts its steps on stderr");
        result.Error.Should().MatchRegex(@"train: 2/2 steps .*, loss \d+\.\d{4} lr ", "the plain line carries the loss beside the count");

        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        root.GetProperty("run_directory").GetString().Should().Be(trained.Run);
        root.GetProperty("start_step").GetInt64().Should().Be(0);
        root.GetProperty("end_step").GetInt64().Should().Be(2);
        root.GetProperty("total_steps").GetInt64().Should().Be(2);
        root.GetProperty("interrupted").GetBoolean().Should().BeFalse();
        root.GetProperty("loss_window").GetInt32().Should().Be(1);
        double first = root.GetProperty("loss_first").GetDouble(), last = root.GetProperty("loss_last").GetDouble();
        var losses = JsonDocument.Parse(File.ReadAllText(Path.Combine(trained.Run, "checkpoint-2", "state.json"))).RootElement.GetProperty("Losses")
            .EnumerateArray().Select(e => e.GetDouble()).ToList();
        first.Should().Be(losses[0], "a 2-step run averages a window of 1 step at each end");
        last.Should().Be(losses[1]);
        root.GetProperty("skipped").GetInt32().Should().Be(0);
        root.GetProperty("skipped_by_reason").EnumerateObject().Should().BeEmpty();
        Directory.Exists(root.GetProperty("checkpoint").GetString()).Should().BeTrue();
        File.Exists(root.GetProperty("log").GetString()).Should().BeTrue();
        File.Exists(root.GetProperty("config").GetString()).Should().BeTrue();
        root.GetProperty("elapsed_seconds").GetDouble().Should().BePositive();
        root.GetProperty("seconds_per_step").GetDouble().Should().BePositive();
    }

    [Fact]
    public void Data_synth_verify_and_extract_report_counts_and_json()
    {
        MediaFixtures.RequireFfmpeg();
        string data = trained.Temp.Combine("synth");
        var synth = Run("data", "synth", "--out", data, "--clips", "3", "--size", "32", "--frames", "8", "--json");
        synth.ExitCode.Should().Be(0, synth.All);
        ShouldEndComplete(Progress(synth.Error, "data synth", "files"), 3, "data synth counts the files it wrote");
        using (var json = JsonDocument.Parse(synth.Output))
        {
            json.RootElement.GetProperty("clips").GetInt32().Should().Be(3);
            json.RootElement.GetProperty("images").GetInt32().Should().Be(0);
            File.ReadAllLines(json.RootElement.GetProperty("kinetics_list").GetString()!).Should().HaveCount(3);
            json.RootElement.GetProperty("overlays").EnumerateArray().Select(o => o.GetString()).Should().OnlyContain(o => File.Exists(o));
        }

        // One listed file is missing: verify reads 4 samples and names the one it could not.
        string list = trained.Temp.Combine("list.csv");
        File.WriteAllLines(list, [.. File.ReadAllLines(Path.Combine(data, "kinetics_train.csv")), "videos/absent.mp4,1"]);
        var verify = Run("data", "verify", list, "--root", data, "--dataset", "kinetics", "--json",
            "--set", "Umt:Model:Frames=8", "--set", "Umt:Model:ImageSize=32");
        verify.ExitCode.Should().Be(1, "a manifest with an unreadable entry fails the check");
        ShouldEndComplete(Progress(verify.Error, "data verify", "samples"), 4, "data verify counts the samples it read");
        using (var json = JsonDocument.Parse(verify.Output))
        {
            var root = json.RootElement;
            root.GetProperty("dataset").GetString().Should().Be("kinetics");
            root.GetProperty("manifest").GetString().Should().Be(list);
            root.GetProperty("samples").GetInt64().Should().Be(4);
            root.GetProperty("readable").GetInt64().Should().Be(3);
            root.GetProperty("unreadable").GetInt32().Should().Be(1);
            var failure = root.GetProperty("failures").EnumerateArray().Single();
            failure.GetProperty("index").GetInt64().Should().Be(3);
            failure.GetProperty("media_path").GetString().Should().EndWith("absent.mp4");
            failure.GetProperty("reason").GetString().Should().NotBeNullOrWhiteSpace();
        }

        string features = trained.Temp.Combine("features");
        var extract = Run("extract", "--checkpoint", trained.Run, "--input", Path.Combine(data, "videos"), "--out", features, "--batch", "2", "--json");
        extract.ExitCode.Should().Be(0, extract.All);
        ShouldEndComplete(Progress(extract.Error, "extract", "clips"), 3, "extract counts the clips it read");
        using (var json = JsonDocument.Parse(extract.Output))
        {
            var root = json.RootElement;
            root.GetProperty("clips").GetInt32().Should().Be(3);
            root.GetProperty("unreadable").GetInt32().Should().Be(0);
            root.GetProperty("width").GetInt32().Should().Be(192, "the embedded default's tiny student");
            root.GetProperty("features").GetString().Should().Be(Path.Combine(features, "features.safetensors"));
            File.ReadAllLines(root.GetProperty("index").GetString()!).Should().HaveCount(4, "a header and a row per clip");
            root.GetProperty("unreadable_list").ValueKind.Should().Be(JsonValueKind.Null);
            root.GetProperty("token_folder").ValueKind.Should().Be(JsonValueKind.Null);
            root.GetProperty("seconds").GetDouble().Should().BePositive();
        }
    }

    [Fact]
    public void Convert_export_and_validate_print_one_snake_case_object()
    {
        string pth = trained.Temp.Combine("student.pth");
        var export = Run("convert", "export", trained.Run, "--out", pth, "--json");
        export.ExitCode.Should().Be(0, export.All);
        using (var json = JsonDocument.Parse(export.Output))
        {
            var root = json.RootElement;
            root.GetProperty("out").GetString().Should().Be(pth);
            new FileInfo(pth).Length.Should().BePositive();
            root.GetProperty("checkpoint").GetString().Should().EndWith("model.safetensors");
            root.GetProperty("tensors").GetInt32().Should().BeGreaterThan(root.GetProperty("renamed").GetInt32());
            root.GetProperty("stage2").GetBoolean().Should().BeFalse();
            root.GetProperty("flat").GetBoolean().Should().BeFalse();
        }

        var validate = Run("validate", "--json");
        validate.ExitCode.Should().Be(0, validate.All);
        using (var json = JsonDocument.Parse(validate.Output))
        {
            json.RootElement.EnumerateObject().Select(p => p.Name).Should().OnlyContain(name => Regex.IsMatch(name, "^[a-z0-9_]+$"), "one naming convention: snake_case");
        }
    }

    [Fact]
    public void Help_says_umt_names_its_placeholders_and_shows_an_example_for_every_verb()
    {
        var root = UmtHelp();
        root.Output.Should().Contain("Usage:").And.Contain("umt [command] [options]").And.NotContain("Umt.Runner");
        root.Output.Should().Contain("--config <FILE>").And.Contain("--set <KEY=VALUE>").And.Contain("--repo <DIR>");

        var train = UmtHelp("train");
        train.Output.Should().Contain("umt train [options]").And.Contain("--stop-after <N>").And.Contain("--resume [<PATH>]  ", "a value that may be left out is shown in brackets");
        train.Output.Should().Contain($"Example:{Environment.NewLine}  umt train ");

        var verbs = new List<string>();
        void Walk(System.CommandLine.Command command)
        {
            verbs.Add(global::Umt.Runner.Cli.CommandExamples.PathOf(command));
            foreach (var child in command.Subcommands)
            {
                Walk(child);
            }
        }
        Walk(global::Umt.Runner.Cli.UmtCommandLine.Create(TextWriter.Null, TextWriter.Null));
        verbs.Should().BeEquivalentTo(global::Umt.Runner.Cli.CommandExamples.ByVerb.Keys, "every verb, and no verb that is gone, has an example");
        foreach (string verb in verbs.Where(v => v.Length > 0))
        {
            string example = global::Umt.Runner.Cli.CommandExamples.ByVerb[verb];
            example.Should().Contain($"umt {verb}", $"the example of '{verb}' runs it (or its group's first verb)");
            UmtHelp([.. verb.Split(' ')]).Output.Should().Contain($"Example:{Environment.NewLine}  {example}", $"umt {verb} --help shows its example");
        }
    }

    private static TestSupport.Umt.Result UmtHelp(params string[] verb)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = global::Umt.Runner.Cli.UmtCommandLine.Invoke([.. verb, "--help"], output, error);
        code.Should().Be(0, $"umt {string.Join(' ', verb)} --help needs nothing else: {error}");
        return new TestSupport.Umt.Result(code, output.ToString(), "");
    }
}
