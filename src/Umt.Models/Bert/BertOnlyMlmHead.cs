using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>xbert.py <c>BertOnlyMLMHead</c>, the module under <c>cls.</c>: only <c>predictions</c> (no next-sentence head).</summary>
internal sealed class BertOnlyMlmHead : nn.Module
{
    private readonly BertLmPredictionHead predictions;

    public BertOnlyMlmHead(BertConfig config) : base("cls")
    {
        predictions = new BertLmPredictionHead(config);
        RegisterComponents();
    }

    /// <param name="hidden"><c>[B, L, H]</c>.</param>
    /// <param name="wordEmbeddings"><c>[V, H]</c>.</param>
    /// <returns><c>[B, L, V]</c>.</returns>
    public Tensor Forward(Tensor hidden, Tensor wordEmbeddings) => predictions.Forward(hidden, wordEmbeddings); // [B, L, V]
}
