namespace Umt.Abstractions.Datasets;

/// <summary>Facts about a configured dataset, known before any sample is read.</summary>
/// <param name="Count">Number of samples.</param>
/// <param name="Frames">Frames T of every sample (1 for image datasets).</param>
/// <param name="HasCaptions">Every sample carries a caption.</param>
/// <param name="LabelSets">Label set name → number of classes (e.g. <c>motion</c> → 10).</param>
/// <param name="HasBoxes">Samples carry the main object's box per frame.</param>
public sealed record DatasetInfo(long Count, int Frames, bool HasCaptions, IReadOnlyDictionary<string, int> LabelSets, bool HasBoxes);
