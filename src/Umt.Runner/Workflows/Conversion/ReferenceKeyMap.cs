namespace Umt.Runner.Workflows.Conversion;

/// <summary>What became of one key of an imported file.</summary>
public enum KeyFate
{
    /// <summary>Renamed (or kept) to a key of this project.</summary>
    Mapped,

    /// <summary>Not model weights: optimizer state, loss scaler, other top-level entries of a training checkpoint.</summary>
    NotModel,

    /// <summary>The frozen CLIP teacher the reference keeps inside its stage-2 model; this project loads teachers from their own files.</summary>
    Teacher,
}

/// <summary>
/// The reference's checkpoint keys → this project's (umt-method.md §2.1, §3.1, §6; architecture.md
/// "Checkpoints and interop"). The reference's trainers save <c>{'model': state_dict}</c>, DeepSpeed
/// <c>{'module': state_dict}</c>, each beside other entries; DDP adds <c>module.</c>; downstream
/// fine-tunes drop the text encoder's <c>bert.</c>; fine-tuning and detection code wrap the
/// student as <c>backbone.</c> or save it bare; stage 2 nests the student, the alignment heads
/// and <c>pool_norm</c> under <c>vision_encoder.</c> and keeps the frozen teacher as
/// <c>clip_teacher.</c>. Keys that no rule maps keep their name and are reported as unexpected by
/// the import, never dropped silently.
/// </summary>
public static class ReferenceKeyMap
{
    /// <summary>Our checkpoint prefix of the VideoMAE decoder (the <c>mae-pixels</c> objective's head).</summary>
    private const string MaeHead = "mae-pixels.";

    /// <summary>Top-level entries that hold a training checkpoint's weights, in the order the reference tries them.</summary>
    private static readonly string[] WeightWrappers = ["model.", "module."];

    /// <summary>The prefix DistributedDataParallel gives every key of the module it wraps.</summary>
    private const string Ddp = "module.";

    /// <summary>
    /// The text encoder of a stage-2 pretraining model is a <c>BertForMaskedLM</c> (<c>bert.</c> and
    /// <c>cls.</c> under it); the downstream models build a bare <c>BertModel</c>, so their files
    /// lack <c>bert.</c> (multi_modality/tasks/shared_utils.py, setup_model, strips it when a
    /// downstream run starts from a pretrained file).
    /// </summary>
    private const string TextEncoder = "text_encoder.", TextEncoderBert = "text_encoder.bert.", TextEncoderHead = "text_encoder.cls.";

    /// <summary>Top-level names of the student's own modules, which bare and <c>backbone.</c> files start with.</summary>
    private static readonly string[] StudentModules = ["patch_embed.", "blocks.", "norm."];

    /// <summary>
    /// Maps every key of a flattened file. The weights of a training checkpoint sit under its
    /// first wrapper entry present, <c>model</c> then <c>module</c> (DeepSpeed's
    /// <c>mp_rank_00_model_states.pt</c>), as the reference's <c>--model_key model|module</c> picks
    /// them (single_modality/run_class_finetuning.py, main); every other top-level entry is then
    /// <see cref="KeyFate.NotModel"/>. A <c>module.</c> prefix shared by all the weights (DDP) is
    /// removed.
    /// </summary>
    /// <returns>Source key → (fate, our key, the key without the file's <c>model.</c>/<c>module.</c> wrappers).</returns>
    public static IReadOnlyDictionary<string, (KeyFate Fate, string Key, string Unwrapped)> Map(IEnumerable<string> sourceKeys)
    {
        var keys = sourceKeys.ToList();
        string? wrapper = WeightWrappers.FirstOrDefault(w => keys.Any(k => k.StartsWith(w, StringComparison.Ordinal)));
        var result = new Dictionary<string, (KeyFate, string, string)>(StringComparer.Ordinal);
        var inner = new Dictionary<string, string>(StringComparer.Ordinal); // source → name inside the wrapper
        foreach (string key in keys)
        {
            if (wrapper is null)
            {
                inner[key] = key;
            }
            else if (key.StartsWith(wrapper, StringComparison.Ordinal))
            {
                inner[key] = key[wrapper.Length..];
            }
            else
            {
                result[key] = (KeyFate.NotModel, key, key);
            }
        }
        bool ddp = inner.Count > 0 && inner.Values.All(k => k.StartsWith(Ddp, StringComparison.Ordinal));
        foreach (var (source, name) in inner)
        {
            string stripped = ddp ? name[Ddp.Length..] : name;
            result[source] = stripped.StartsWith("clip_teacher.", StringComparison.Ordinal)
                ? (KeyFate.Teacher, stripped, stripped)
                : (KeyFate.Mapped, Rename(stripped), stripped);
        }
        return result;
    }

    /// <summary>One key of the model, unwrapped, in this project's names.</summary>
    public static string Rename(string key) => key switch
    {
        _ when key.StartsWith("vision_encoder.", StringComparison.Ordinal) => Rename(key["vision_encoder.".Length..]),
        _ when key.StartsWith("backbone.", StringComparison.Ordinal) => "encoder." + key["backbone.".Length..],
        _ when key.StartsWith("decoder.", StringComparison.Ordinal) || key.StartsWith("encoder_to_decoder.", StringComparison.Ordinal) || key == "mask_token" => MaeHead + key,
        _ when StudentModules.Any(m => key.StartsWith(m, StringComparison.Ordinal)) => "encoder." + key,
        _ when key.StartsWith(TextEncoder, StringComparison.Ordinal) && !key.StartsWith(TextEncoderBert, StringComparison.Ordinal)
            && !key.StartsWith(TextEncoderHead, StringComparison.Ordinal) => TextEncoderBert + key[TextEncoder.Length..],
        _ => key, // encoder.*, clip_decoder.*, text_encoder.bert.*, text_encoder.cls.*, vision_proj.*, text_proj.*, itm_head.*, temp: the same names here
    };

    /// <summary>Keys only a stage-2 checkpoint holds: the text encoder, the shared heads, the matching head.</summary>
    public static bool IsStage2(string key) =>
        key == "temp" || new[] { "text_encoder.", "pool_norm.", "vision_proj.", "text_proj.", "itm_head." }.Any(p => key.StartsWith(p, StringComparison.Ordinal));

    /// <summary>
    /// One of our keys in the reference's names, for <c>umt convert export</c>: the inverse of
    /// <see cref="Rename"/> for keys our checkpoints hold. A stage-2 checkpoint (one with a text
    /// encoder) nests the student, the alignment heads and <c>pool_norm</c> under <c>vision_encoder.</c>.
    /// </summary>
    public static string ToReference(string key, bool stage2) => key switch
    {
        _ when key.StartsWith(MaeHead, StringComparison.Ordinal) => key[MaeHead.Length..],
        _ when stage2 && (key.StartsWith("encoder.", StringComparison.Ordinal) || key.StartsWith("clip_decoder.", StringComparison.Ordinal) || key.StartsWith("pool_norm.", StringComparison.Ordinal))
            => "vision_encoder." + key,
        _ => key,
    };
}
