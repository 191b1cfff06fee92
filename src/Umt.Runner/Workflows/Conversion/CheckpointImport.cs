using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Conversion;

/// <summary>What an import found, key by key; nothing is dropped without being listed here.</summary>
/// <param name="Imported">Our key → tensor, for every mapped key whose shape fits.</param>
/// <param name="Renamed">Source key (inside the <c>model</c>/<c>module</c> wrappers) → our key, where the names differ.</param>
/// <param name="Missing">Keys the configured model has that the file does not provide.</param>
/// <param name="Unexpected">Mapped keys (our names) that no module of the configured model owns.</param>
/// <param name="WrongShapes">Key, the model's shape, the file's shape.</param>
/// <param name="NotModel">Source keys that are not model weights (optimizer state and the like).</param>
/// <param name="Teacher">Source keys of the reference's embedded frozen teacher.</param>
public sealed record ImportReport(
    IReadOnlyDictionary<string, Tensor> Imported,
    IReadOnlyDictionary<string, string> Renamed,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<(string Key, long[] Model, long[] File)> WrongShapes,
    IReadOnlyList<string> NotModel,
    IReadOnlyList<string> Teacher);

/// <summary>
/// <c>umt convert import</c>: a reference checkpoint (PyTorch <c>.pth</c> read as data, or
/// safetensors) in this project's keys, checked against the configured model's state dict.
/// </summary>
public static class CheckpointImport
{
    /// <param name="tensors">The file's flattened tensors (the caller owns them).</param>
    /// <param name="expected">The configured model's state dict: our key → tensor (for shapes).</param>
    public static ImportReport Match(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, Tensor> expected)
    {
        var fates = ReferenceKeyMap.Map(tensors.Keys);
        var imported = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        var renamed = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var wrongShapes = new List<(string, long[], long[])>();
        foreach (var (source, (fate, key, unwrapped)) in fates)
        {
            if (fate != KeyFate.Mapped)
            {
                continue;
            }
            if (key != unwrapped)
            {
                renamed[unwrapped] = key;
            }
            if (!expected.TryGetValue(key, out var target))
            {
                unexpected.Add(key);
            }
            else if (!target.shape.SequenceEqual(tensors[source].shape))
            {
                wrongShapes.Add((key, target.shape, tensors[source].shape));
            }
            else
            {
                imported[key] = tensors[source];
            }
        }
        var provided = fates.Values.Where(f => f.Fate == KeyFate.Mapped).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        return new ImportReport(
            imported,
            renamed,
            [.. expected.Keys.Where(k => !provided.Contains(k)).Order(StringComparer.Ordinal)],
            [.. unexpected.Order(StringComparer.Ordinal)],
            [.. wrongShapes.OrderBy(w => w.Item1, StringComparer.Ordinal)],
            [.. fates.Where(f => f.Value.Fate == KeyFate.NotModel).Select(f => f.Key).Order(StringComparer.Ordinal)],
            [.. fates.Where(f => f.Value.Fate == KeyFate.Teacher).Select(f => f.Key).Order(StringComparer.Ordinal)]);
    }

    /// <summary>Reads <paramref name="source"/> (never executing anything in it) and matches it.</summary>
    /// <param name="bytesRead">Called as tensors arrive with the bytes read so far (see <see cref="WeightFile.ReadStateDict"/>).</param>
    public static ImportReport Read(string source, IReadOnlyDictionary<string, Tensor> expected, Action<long>? bytesRead = null) =>
        Match(WeightFile.ReadStateDict(source, bytesRead), expected);
}
