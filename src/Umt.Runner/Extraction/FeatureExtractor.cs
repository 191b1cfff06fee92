using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serilog;
using TorchSharp;
using Umt.Abstractions.Datasets;
using Umt.Models.Student;
using Umt.Models.Weights;
using Umt.Runner.Composition;
using Umt.Runner.Training;
using static TorchSharp.torch;

namespace Umt.Runner.Extraction;

/// <summary>What <c>umt extract</c> wrote.</summary>
public sealed record ExtractionResult(int Clips, int Unreadable, string Features, string Index, string? UnreadableList, string? TokenFolder, double Seconds);

/// <summary>
/// <c>umt extract</c>: frozen student features for every sample of the configured dataset (read
/// in eval mode: middle frames, fixed crop), with every token visible. Per clip: the mean of the
/// last block's tokens after the encoder's final LayerNorm (<c>pooled</c> <c>[M, D]</c> in
/// <c>features.safetensors</c>) and optionally every token (<c>tokens/shard-*.safetensors</c>,
/// <c>[b, N, D]</c> with their <c>rows</c>, written shard by shard so memory stays bounded).
/// <c>index.csv</c> maps each row to its file and labels; unreadable files are listed in
/// <c>unreadable.csv</c> and skipped, never fatal.
/// </summary>
public sealed class FeatureExtractor(RunPlan plan, ILogger log)
{
    public const string FeaturesFile = "features.safetensors";
    public const string IndexFile = "index.csv";
    public const string UnreadableFile = "unreadable.csv";
    public const string TokenFolder = "tokens";

    public ExtractionResult Run(string modelFile, string outDirectory, bool tokens, int batchSize, TextWriter progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(outDirectory);
        using var student = LoadStudent(modelFile);
        using var dataset = plan.CreateDataset(log);
        long count = dataset.Info.Count;
        var pooled = new List<Tensor>();
        var index = new StringBuilder("row,source,labels\n");
        var unreadable = new ConcurrentBag<(long Index, UnreadableMediaException Failure)>();
        int rows = 0, shard = 0;
        for (long start = 0; start < count && !cancel.IsCancellationRequested; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var samples = Read(dataset, start, (int)Math.Min(batchSize, count - start), unreadable, cancel);
            if (samples.Count == 0)
            {
                continue;
            }
            var video = Stack(samples);                                                           // [b, 3, T, H, W]
            Tensor last;
            using (no_grad())
            {
                var mask = zeros([samples.Count, plan.Student.Grid.Count], ScalarType.Bool, plan.Device); // [b, N], nothing hidden
                last = student.ForwardVisible(video, mask, [plan.Student.Depth - 1], null)[plan.Student.Depth - 1]; // [b, N, D]
            }
            pooled.Add(last.mean([1]).cpu().MoveToOuterDisposeScope());                            // [b, D]
            if (tokens)
            {
                string folder = Path.Combine(outDirectory, TokenFolder);
                Directory.CreateDirectory(folder);
                SafetensorsFile.WriteAtomic(Path.Combine(folder, $"shard-{shard++:D5}.safetensors"), new Dictionary<string, Tensor>
                {
                    ["tokens"] = last.cpu(),                                                       // [b, N, D]
                    ["rows"] = arange(rows, rows + samples.Count, dtype: ScalarType.Int64),        // [b]
                });
            }
            foreach (var (_, sample) in samples)
            {
                index.Append(CultureInfo.InvariantCulture, $"{rows++},{Csv(sample.Source ?? "")},{Csv(string.Join(";", sample.Labels.Select(kv => $"{kv.Key}={kv.Value}")))}\n");
            }
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extract: {Math.Min(start + batchSize, count)}/{count} samples, {rows} clips, {unreadable.Count} unreadable, {clock.Elapsed.TotalSeconds:F0} s"));
        }

        string features = Path.Combine(outDirectory, FeaturesFile);
        using (var all = pooled.Count > 0 ? cat(pooled, 0) : zeros(0, plan.Student.Width))
        {
            SafetensorsFile.WriteAtomic(features, new Dictionary<string, Tensor> { ["pooled"] = all }, new Dictionary<string, string>
            {
                ["umt.model"] = modelFile,
                ["umt.pooling"] = "mean of the last block's tokens after the final LayerNorm, all tokens visible",
            });
        }
        pooled.ForEach(t => t.Dispose());
        string indexFile = Path.Combine(outDirectory, IndexFile);
        DurableFiles.ReplaceText(indexFile, index.ToString());
        string? unreadableFile = null;
        if (!unreadable.IsEmpty)
        {
            unreadableFile = Path.Combine(outDirectory, UnreadableFile);
            DurableFiles.ReplaceText(unreadableFile, "sample,source,reason,detail\n" + string.Concat(unreadable.OrderBy(u => u.Index)
                .Select(u => string.Create(CultureInfo.InvariantCulture, $"{u.Index},{Csv(u.Failure.MediaPath)},{Csv(u.Failure.Reason)},{Csv(u.Failure.Detail)}\n"))));
        }
        return new ExtractionResult(rows, unreadable.Count, features, indexFile, unreadableFile, tokens ? Path.Combine(outDirectory, TokenFolder) : null, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The student of the plan's geometry with the checkpoint's <c>encoder.*</c> weights, in eval mode on the run's device.</summary>
    private VideoVisionTransformer LoadStudent(string modelFile)
    {
        var student = new VideoVisionTransformer(plan.StudentConfig);
        using (var scope = NewDisposeScope())
        {
            StateDictLoader.Load(student, SafetensorsFile.Read(modelFile), TrainingModel.StudentPrefix);
        }
        student.to(plan.Device);
        student.eval();
        return student;
    }

    /// <summary>Reads samples [start, start + length) in parallel; unreadable ones are collected, not thrown.</summary>
    private List<(long Index, VideoSample Sample)> Read(IVideoDataset dataset, long start, int length, ConcurrentBag<(long, UnreadableMediaException)> unreadable, CancellationToken cancel)
    {
        var read = new VideoSample?[length];
        Parallel.For(0, length, new ParallelOptions { MaxDegreeOfParallelism = plan.Run.DataWorkers, CancellationToken = cancel }, i =>
        {
            try
            {
                read[i] = dataset.Read(start + i, augmentationKey: 0, cancel);
            }
            catch (UnreadableMediaException failure)
            {
                unreadable.Add((start + i, failure));
            }
        });
        return [.. read.Select((sample, i) => (start + i, sample)).Where(r => r.sample is not null).Select(r => (r.Item1, r.sample!))];
    }

    private Tensor Stack(List<(long Index, VideoSample Sample)> samples)
    {
        var pixels = new float[samples.Count * samples[0].Sample.Pixels.Length];
        for (int row = 0; row < samples.Count; row++)
        {
            samples[row].Sample.Pixels.CopyTo(pixels, row * samples[0].Sample.Pixels.Length);
        }
        return tensor(pixels, [samples.Count, 3, plan.Student.Frames, plan.Student.ImageSize, plan.Student.ImageSize]).to(plan.Device); // [b, 3, T, H, W]
    }

    /// <summary>A CSV field, quoted when it holds a separator, quote or newline.</summary>
    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
