using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serilog;
using Umt.Abstractions.Datasets;
using Umt.Models.Weights;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Progress;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation.Extraction;

/// <summary>What <c>umt extract</c> wrote.</summary>
/// <param name="Width">Features per clip: <c>pooled</c> is <c>[Clips, Width]</c>.</param>
public sealed record ExtractionResult(int Clips, int Unreadable, int Width, string Features, string Index, string? UnreadableList, string? TokenFolder, double Seconds);

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

    public ExtractionResult Run(string modelFile, string outDirectory, bool tokens, int batchSize, ProgressRenderer progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(outDirectory);
        using var student = FrozenStudent.Load(plan, modelFile);
        using var dataset = plan.CreateDataset(log);
        long count = dataset.Info.Count;
        var pooled = new List<Tensor>();
        var index = new StringBuilder("row,source,labels\n");
        var unreadable = new ConcurrentBag<(long Index, UnreadableMediaException Failure)>();
        int rows = 0, shard = 0;
        using var counter = progress.Start("extract", count, "clips");
        foreach (var batch in EvaluationReader.Batches(dataset, batchSize, plan.Run.DataWorkers, unreadable, counter, cancel))
        {
            using var scope = NewDisposeScope();
            var samples = batch.Samples;
            var last = student.Tokens(batch.Video(plan));                                          // [b, N, D]
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
            foreach (var sample in samples)
            {
                index.Append(CultureInfo.InvariantCulture, $"{rows++},{Csv(sample.Source ?? "")},{Csv(string.Join(";", sample.Labels.Select(kv => $"{kv.Key}={kv.Value}")))}\n");
            }
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
        return new ExtractionResult(rows, unreadable.Count, plan.Student.Width, features, indexFile, unreadableFile, tokens ? Path.Combine(outDirectory, TokenFolder) : null, clock.Elapsed.TotalSeconds);
    }

    /// <summary>A CSV field (RFC 4180), quoted when it holds a separator, quote or newline.</summary>
    internal static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
