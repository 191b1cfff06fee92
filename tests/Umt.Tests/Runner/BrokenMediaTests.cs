using System.Text.Json;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Training;
using Umt.Tests.Datasets.Media;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// A corpus of broken media, made by the test, through <c>umt data verify</c> and a short training
/// run: every bad entry is found with its reason and counted; odd but valid files are not.
/// </summary>
public sealed class BrokenMediaTests(BrokenMediaTests.Corpus corpus, ITestOutputHelper log) : IClassFixture<BrokenMediaTests.Corpus>
{
    [Fact]
    public void Data_verify_lists_every_broken_entry_with_its_reason_and_exits_non_zero()
    {
        var result = TestSupport.Umt.Run(log, "data", "verify", corpus.List, "--root", corpus.Root, "--dataset", "kinetics", "--set", "Umt:Run:DataWorkers=2");

        result.ExitCode.Should().Be(1, "a manifest with broken entries fails verification");
        result.Output.Should().Contain($"{corpus.Rows} samples").And.Contain($"{corpus.Rows - Corpus.Broken.Length} readable, {Corpus.Broken.Length} unreadable");
        foreach (var (file, reason) in Corpus.Broken)
        {
            result.Output.Should().Contain(reason, $"{file} is reported with its reason");
        }
        foreach (string file in Corpus.Broken.Select(b => b.File).Where(f => f != Corpus.BadLabelFile))
        {
            result.Output.Should().Contain(Path.Combine(corpus.Root, file), "each broken file is named");
        }
        result.Output.Should().NotContain("portrait.mp4").And.NotContain("with spaces", "odd but valid media are readable");
    }

    [Fact]
    public void Training_on_a_broken_corpus_completes_and_reports_every_skipped_entry()
    {
        string run = Path.Combine(corpus.Root, "run");
        var result = TestSupport.Umt.Run(log, ["train", .. corpus.TrainArguments(run), "--set", "Umt:Run:MaxFailureFraction=0.6"]);

        result.ExitCode.Should().Be(0);
        result.Output.Should().Contain($"skipped   {Corpus.Broken.Length} unreadable samples");
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(run, File.ReadAllText(Path.Combine(run, "latest")).Trim(), "state.json")))!;
        state.FailedSamples.Should().HaveCount(Corpus.Broken.Length, "one epoch touches every row, and each broken one is counted once");
        File.ReadAllLines(Path.Combine(run, "log.jsonl")).Count(l => l.Contains("Skipping sample", StringComparison.Ordinal))
            .Should().Be(Corpus.Broken.Length, "each broken entry is logged once");
    }

    [Fact]
    public void Training_stops_with_a_clear_error_when_more_than_the_tolerated_fraction_fails()
    {
        var result = TestSupport.Umt.Run(log, ["train", .. corpus.TrainArguments(Path.Combine(corpus.Root, "run-default-limit"))]);

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain("Umt:Run:MaxFailureFraction = 0.05").And.Contain("umt data verify").And.NotContain("   at ", "no stack trace");
    }

    /// <summary>Synthesized clips, odd but valid videos, and one entry of each kind of breakage.</summary>
    public sealed class Corpus : IDisposable
    {
        public const string BadLabelFile = "videos/clip_000001.mp4";

        /// <summary>Broken entries and the reason each is reported with.</summary>
        public static readonly (string File, string Reason)[] Broken =
        [
            ("videos/empty.mp4", "empty file"),
            ("videos/truncated.mp4", "too few frames decoded"),
            ("videos/random.mp4", "not a readable media file"),
            ("videos/audio.mp4", "no video stream"),
            ("videos/notes.mp4", "not a readable media file"),
            ("videos/missing.mp4", "missing file"),
            ("videos/folder.mp4", "not a file"),
            ("videos/dangling.mp4", "dangling link"),
            (BadLabelFile, "bad manifest row"),
        ];

        private readonly TemporaryDirectory temp = new();

        public Corpus()
        {
            MediaFixtures.RequireFfmpeg();
            SyntheticMediaExport.Write(new SyntheticExportOptions(temp.Path, Clips: 8, Images: 0, Size: 64, Frames: 16));
            string videos = temp.Combine("videos");
            File.WriteAllBytes(Path.Combine(videos, "empty.mp4"), []);
            byte[] good = File.ReadAllBytes(Path.Combine(videos, "clip_000000.mp4"));
            File.WriteAllBytes(Path.Combine(videos, "truncated.mp4"), good[..(good.Length * 6 / 10)]);
            File.WriteAllBytes(Path.Combine(videos, "random.mp4"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251))]);
            MediaFixtures.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", Path.Combine(videos, "audio.mp4"));
            File.WriteAllText(Path.Combine(videos, "notes.mp4"), "not a video, just notes\n");
            Directory.CreateDirectory(Path.Combine(videos, "folder.mp4"));
            File.CreateSymbolicLink(Path.Combine(videos, "dangling.mp4"), Path.Combine(videos, "nowhere.mp4"));
            MediaFixtures.TestSource(Path.Combine(videos, "portrait.mp4"), 32, 64, 24);
            MediaFixtures.TestSource(Path.Combine(videos, "clip with spaces.webm"), 64, 48, 24, encoder: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"]);

            var rows = Enumerable.Range(0, 8).Where(i => i != 1).Select(i => $"videos/clip_{i:D6}.mp4,{i}")
                .Concat(["videos/portrait.mp4,1", "videos/clip with spaces.webm,2", $"{BadLabelFile},not-a-label"])
                .Concat(Broken.Where(b => b.File != BadLabelFile).Select(b => $"{b.File},0"))
                .ToList();
            File.WriteAllLines(List, rows);
            Rows = rows.Count;
        }

        public string Root => temp.Path;

        public string List => temp.Combine("broken.csv");

        public int Rows { get; }

        /// <summary>The VideoMAE baseline on this list: one epoch of 3 batches of 6 touches every row.</summary>
        public string[] TrainArguments(string run) =>
        [
            "--config", "configs/videomae.json",
            "--set", "Umt:Dataset:Use=kinetics",
            "--set", $"Umt:Dataset:Options:kinetics:Manifest={List}", "--set", $"Umt:Dataset:Options:kinetics:Root={Root}",
            "--set", $"Umt:Run:Steps={Rows / 6}", "--set", "Umt:Run:BatchSize=6", "--set", "Umt:Run:DataWorkers=2",
            "--set", "Umt:Run:LogEvery=1", "--set", $"Umt:Run:OutputDir={run}",
        ];

        public void Dispose() => temp.Dispose();
    }
}
