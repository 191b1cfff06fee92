using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// BERT's input embeddings (xbert.py <c>BertEmbeddings</c>): word + absolute position + token type,
/// then LayerNorm and dropout. Field names are HuggingFace's keys under <c>bert.embeddings.</c>.
/// </summary>
/// <remarks>
/// The reference calls it without <c>position_ids</c> or <c>token_type_ids</c>, so positions are
/// 0..L−1 and every token is type 0 (the pretrained segment-A row). HF's <c>position_ids</c>
/// buffer is not kept: it only ever held <c>arange(max_positions)</c>.
/// </remarks>
internal sealed class BertEmbeddings : nn.Module
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    public BertEmbeddings(BertConfig config) : base("embeddings")
    {
        // padding_idx as xbert: the [PAD] row gets no gradient from the lookup (it still does through the tied MLM decoder).
        word_embeddings = nn.Embedding(config.VocabSize, config.Hidden, padding_idx: BertConfig.PadTokenId);
        position_embeddings = nn.Embedding(config.MaxPositions, config.Hidden);
        token_type_embeddings = nn.Embedding(config.TypeVocabSize, config.Hidden);
        LayerNorm = nn.LayerNorm(config.Hidden, eps: config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropout);
        RegisterComponents();
    }

    /// <summary>The word embedding matrix <c>[V, H]</c>, which the MLM decoder reads as its weight.</summary>
    public Parameter WordEmbeddings => word_embeddings.weight!;

    /// <param name="inputIds">Token ids <c>[B, L]</c> int64, L ≤ the position table.</param>
    /// <returns>Embedded tokens <c>[B, L, H]</c>.</returns>
    public Tensor Forward(Tensor inputIds)
    {
        int length = (int)inputIds.shape[1];
        var words = word_embeddings.call(inputIds);                           // [B, L, H]
        var positions = position_embeddings.weight![..length];                // [L, H]  position ids 0..L-1
        var tokenType = token_type_embeddings.weight![0];                     // [H]     token type 0 everywhere
        var x = words + tokenType + positions;                                // [B, L, H]
        return dropout.call(LayerNorm.call(x));                               // [B, L, H]
    }
}
