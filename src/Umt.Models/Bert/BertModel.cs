using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// xbert's <c>BertModel(add_pooling_layer=False)</c>, the module under the <c>bert.</c> prefix:
/// <c>embeddings</c> and <c>encoder</c>. No pooler: the reference pools by taking the
/// <c>[CLS]</c> token's hidden state (umt.py <c>encode_text</c>: <c>text_embeds[:, 0]</c>).
/// </summary>
internal sealed class BertModel : nn.Module
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;

    public BertModel(BertConfig config) : base("bert")
    {
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        RegisterComponents();
    }

    /// <summary>The word embedding matrix <c>[V, H]</c>.</summary>
    public Parameter WordEmbeddings => embeddings.WordEmbeddings;

    /// <param name="inputIds">Token ids <c>[B, L]</c> int64.</param>
    /// <returns><c>[B, L, H]</c>.</returns>
    public Tensor Embed(Tensor inputIds) => embeddings.Forward(inputIds);

    /// <summary>Runs layers <c>[from, to)</c> (xbert's <c>BertEncoder.forward</c> with a mode's start and output layer).</summary>
    /// <param name="x">Text tokens <c>[B, L, H]</c>.</param>
    /// <param name="textMask">Additive self-attention mask <c>[B, 1, 1, L]</c>.</param>
    /// <param name="vision">Vision tokens <c>[B, N, C]</c>, or null for self-attention only.</param>
    /// <param name="visionMask">Additive cross-attention mask <c>[B, 1, 1, N]</c>, or null.</param>
    /// <returns><c>[B, L, H]</c>.</returns>
    public Tensor Encode(Tensor x, Tensor textMask, int from, int to, Tensor? vision, Tensor? visionMask)
    {
        for (int i = from; i < to; i++)
        {
            x = encoder[i].Forward(x, textMask, vision, visionMask);        // [B, L, H]
        }
        return x;
    }
}
