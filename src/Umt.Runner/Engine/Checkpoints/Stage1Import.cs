using Serilog;
using Umt.Models.Weights;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Training;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// Starts a stage-2 run from stage-1 weights (<c>Umt:Stage2:From</c>), as the reference's
/// <c>vision_encoder.pretrained</c>: the student (<c>encoder.*</c>) and every other trained module
/// whose keys the file holds (the alignment heads <c>clip_decoder.*</c>, reused in stage 2).
/// </summary>
/// <remarks>
/// The reference loads with <c>strict=False</c> from whatever <c>torch.load</c> returns, so a
/// wrapped or renamed file loads nothing and the run silently trains from scratch (umt-method.md
/// §3.1). Here the student must load completely, and any module whose prefix appears in the file
/// must match it key for key and shape for shape; modules the file does not mention (the text
/// encoder, the projections, a fresh head) keep their initialisation and are named in the log.
/// </remarks>
public static class Stage1Import
{
    public static void Apply(TrainingModel model, string from, string baseDirectory, ILogger log)
    {
        var reference = CheckpointReference.Resolve(Path.GetFullPath(from, baseDirectory));
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> tensors;
        try
        {
            tensors = SafetensorsFile.Read(reference.ModelFile);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"Umt:Stage2:From = {from}: cannot read {reference.ModelFile}: {e.Message}");
        }
        if (!tensors.Keys.Any(k => k.StartsWith(TrainingModel.StudentPrefix, StringComparison.Ordinal)))
        {
            throw new ConfigurationException(
                $"Umt:Stage2:From = {from}: {reference.ModelFile} holds no '{TrainingModel.StudentPrefix}*' keys, so it is not a stage-1 checkpoint of this project (import a reference .pth with `umt convert` first).");
        }
        var loaded = new List<string>();
        var kept = new List<string>();
        foreach (var (prefix, module) in model.TrainedModules())
        {
            // The top-level heads (pool_norm, projections, temp) have no prefix: they count as in the
            // file when any of their keys is (a stage-2 checkpoint given as From).
            bool mentioned = prefix.Length > 0
                ? tensors.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal))
                : StateDictLoader.OwnEntries(module, tensors).Count > 0;
            if (!mentioned)
            {
                kept.Add(prefix.Length > 0 ? prefix + "*" : string.Join(", ", module.state_dict().Keys));
                continue;
            }
            try
            {
                // The unprefixed heads are offered their own keys only; every other key belongs to another module.
                StateDictLoader.Load(module, prefix.Length > 0 ? tensors : StateDictLoader.OwnEntries(module, tensors), prefix);
            }
            catch (StateDictMismatchException e)
            {
                string part = prefix.Length > 0 ? $"'{prefix}*'" : "pool_norm/vision_proj/text_proj/temp";
                throw new ConfigurationException($"Umt:Stage2:From = {from}: {reference.ModelFile} does not fit this run's {part}: {e.Message}");
            }
            loaded.Add(prefix.Length > 0 ? prefix + "*" : string.Join(", ", module.state_dict().Keys));
        }
        var owned = model.StateDict().Keys.ToHashSet(StringComparer.Ordinal);
        int ignored = tensors.Keys.Count(k => !owned.Contains(k));
        log.Information("Stage 2 starts from {File}: loaded {Loaded}; not in the file, kept as built (pretrained or fresh): {Kept}; {Ignored} keys of the file match no key of this run",
            reference.ModelFile, string.Join(", ", loaded), kept.Count > 0 ? string.Join(", ", kept) : "nothing", ignored);
    }
}
