namespace Umt.Models.Bert;

/// <summary>What a HuggingFace BERT checkpoint key is to <see cref="BertForMaskedLM"/>.</summary>
internal enum BertKeyKind
{
    /// <summary>A parameter of the module, under the returned name.</summary>
    Module,

    /// <summary>Something the reference never reads: skipped without a word.</summary>
    Ignored,

    /// <summary><c>cls.predictions.decoder.weight</c>: the word embeddings again (tied).</summary>
    TiedDecoderWeight,

    /// <summary><c>cls.predictions.decoder.bias</c>: <c>cls.predictions.bias</c> again (one Parameter in HF).</summary>
    TiedDecoderBias,
}

/// <summary>
/// Maps the key names of published BERT checkpoints onto <see cref="BertForMaskedLM"/>'s names
/// (HF/xbert's <c>BertForMaskedLM</c> layout: <c>bert.*</c> and <c>cls.predictions.*</c>).
/// </summary>
internal static class HuggingFaceBertKeys
{
    /// <summary>The prefix of the encoder's keys in a <c>BertForMaskedLM</c> / <c>BertForPreTraining</c> checkpoint.</summary>
    public const string ModelPrefix = "bert.";

    /// <summary>The MLM head's prefix (always at the top level, beside <c>bert.</c>).</summary>
    public const string HeadPrefix = "cls.predictions.";

    /// <summary>The MLM head's output bias.</summary>
    public const string HeadBias = "cls.predictions.bias";

    /// <summary>
    /// Classifies <paramref name="key"/> and gives the module's name for it. Accepted spellings:
    /// with the <c>bert.</c> prefix (<c>BertForMaskedLM</c>, <c>BertForPreTraining</c>, e.g.
    /// bert-base-uncased) or without it (a bare <c>BertModel</c>, e.g. all-MiniLM-L6-v2); the
    /// TF-era LayerNorm names <c>gamma</c>/<c>beta</c> (bert-base-uncased's pytorch_model.bin), which
    /// HF's loader renames to <c>weight</c>/<c>bias</c> the same way.
    /// </summary>
    public static (BertKeyKind Kind, string Name) Map(string key)
    {
        string name = key;
        if (name.Contains("LayerNorm.", StringComparison.Ordinal))
        {
            if (name.EndsWith(".gamma", StringComparison.Ordinal))
            {
                name = name[..^".gamma".Length] + ".weight";
            }
            else if (name.EndsWith(".beta", StringComparison.Ordinal))
            {
                name = name[..^".beta".Length] + ".bias";
            }
        }

        if (name.StartsWith("cls.", StringComparison.Ordinal))
        {
            return name switch
            {
                // The next-sentence head of BertForPreTraining checkpoints: the reference's BertForMaskedLM has none.
                _ when name.StartsWith("cls.seq_relationship.", StringComparison.Ordinal) => (BertKeyKind.Ignored, name),
                "cls.predictions.decoder.weight" => (BertKeyKind.TiedDecoderWeight, name),
                "cls.predictions.decoder.bias" => (BertKeyKind.TiedDecoderBias, name),
                _ => (BertKeyKind.Module, name),
            };
        }

        string bare = name.StartsWith(ModelPrefix, StringComparison.Ordinal) ? name[ModelPrefix.Length..] : name;
        // The pooler: xbert builds BertModel(add_pooling_layer=False) and pools by taking [CLS] (umt.py encode_text).
        // position_ids / token_type_ids: HF buffers (arange / zeros) that older transformers saved; positions here are 0..L-1, types 0.
        if (bare.StartsWith("pooler.", StringComparison.Ordinal) || bare is "embeddings.position_ids" or "embeddings.token_type_ids")
        {
            return (BertKeyKind.Ignored, name);
        }
        return (BertKeyKind.Module, ModelPrefix + bare);
    }

    /// <summary>
    /// The group a module key loads with, all or nothing, or null when it is required: the MLM
    /// head (<c>cls.predictions.</c>: absent from bare BertModel checkpoints) and each layer's
    /// cross-attention (<c>bert.encoder.layer.{i}.crossattention.</c>: no pretrained BERT has it).
    /// </summary>
    public static string? OptionalGroup(string moduleKey)
    {
        if (moduleKey.StartsWith(HeadPrefix, StringComparison.Ordinal))
        {
            return HeadPrefix;
        }
        const string Cross = ".crossattention.";
        int at = moduleKey.IndexOf(Cross, StringComparison.Ordinal);
        return at >= 0 ? moduleKey[..(at + Cross.Length)] : null;
    }
}
