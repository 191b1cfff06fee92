namespace Umt.Models.Bert;

/// <summary>
/// Architecture of the reference's text encoder: a HuggingFace BERT whose layers from
/// <paramref name="FusionLayer"/> on also cross-attend to vision tokens (ALBEF's xbert, as copied
/// into unmasked_teacher multi_modality/models/backbones/bert/xbert.py; <c>builder.py</c> sets
/// <c>encoder_width</c> to the vision encoder's width and <c>fusion_layer</c> from the model config).
/// </summary>
/// <param name="VocabSize">WordPiece vocabulary (30522 for the uncased English models).</param>
/// <param name="Hidden">Hidden width H.</param>
/// <param name="Layers">Transformer layers; <c>[0, FusionLayer)</c> encode text, <c>[FusionLayer, Layers)</c> fuse.</param>
/// <param name="Heads">Attention heads (H must be a multiple).</param>
/// <param name="Intermediate">Feed-forward width.</param>
/// <param name="FusionLayer">First layer with cross-attention (0 ≤ FusionLayer ≤ Layers).</param>
/// <param name="EncoderWidth">Width of the vision tokens the cross-attention keys and values are projected from.</param>
/// <param name="MaxPositions">Rows of the learned position table (longest text).</param>
/// <param name="TypeVocabSize">Rows of the token-type table (only type 0 is used).</param>
/// <param name="LayerNormEps">LayerNorm epsilon (BERT's 1e-12, not torch's 1e-5).</param>
/// <param name="HiddenDropout"><c>hidden_dropout_prob</c> (embeddings and each residual output): 0.1 in every published config used here.</param>
/// <param name="AttentionDropout"><c>attention_probs_dropout_prob</c>, on the attention probabilities: 0.1 likewise.</param>
public sealed record BertConfig(int VocabSize, int Hidden, int Layers, int Heads, int Intermediate, int FusionLayer, int EncoderWidth,
    int MaxPositions = 512, int TypeVocabSize = 2, double LayerNormEps = 1e-12, double HiddenDropout = 0.1, double AttentionDropout = 0.1)
{
    /// <summary><c>initializer_range</c>: std of the normal init of every Linear and Embedding weight.</summary>
    internal const double InitializerRange = 0.02;

    /// <summary><c>pad_token_id</c> of BERT's vocabulary (<c>[PAD]</c>); xbert passes it as the word embedding's <c>padding_idx</c>.</summary>
    internal const long PadTokenId = 0;

    /// <summary>bert-base-uncased (UMT's B/16 configs: <c>fusion_layer=9</c>).</summary>
    public static BertConfig Base(int encoderWidth) => new(30522, 768, 12, 12, 3072, 9, encoderWidth);

    /// <summary>bert-large-uncased (UMT's L/16 configs: <c>fusion_layer=19</c>).</summary>
    public static BertConfig Large(int encoderWidth) => new(30522, 1024, 24, 16, 4096, 19, encoderWidth);

    /// <summary>sentence-transformers/all-MiniLM-L6-v2 (a BERT of 6 layers, width 384), fusing from layer 3.</summary>
    public static BertConfig MiniLmL6(int encoderWidth) => new(30522, 384, 6, 12, 1536, 3, encoderWidth);

    /// <summary>Checks the numbers agree with each other.</summary>
    /// <exception cref="ArgumentException">A size is not positive, H is not a multiple of the heads, or the fusion layer is out of range.</exception>
    internal void Validate()
    {
        if (VocabSize <= 0 || Hidden <= 0 || Layers <= 0 || Heads <= 0 || Intermediate <= 0 || EncoderWidth <= 0 || MaxPositions <= 0 || TypeVocabSize <= 0)
        {
            throw new ArgumentException($"Every size of a BERT config must be positive: {this}.");
        }
        if (Hidden % Heads != 0)
        {
            throw new ArgumentException($"The hidden width {Hidden} is not a multiple of the head count {Heads}.");
        }
        if (FusionLayer < 0 || FusionLayer > Layers)
        {
            throw new ArgumentException($"The fusion layer {FusionLayer} is outside [0, {Layers}].");
        }
        if (!(HiddenDropout is >= 0 and < 1) || !(AttentionDropout is >= 0 and < 1))
        {
            throw new ArgumentException($"Dropout probabilities must lie in [0, 1): hidden {HiddenDropout}, attention {AttentionDropout}.");
        }
        if (!(LayerNormEps > 0))
        {
            throw new ArgumentException($"The LayerNorm epsilon must be positive, got {LayerNormEps}.");
        }
    }
}
