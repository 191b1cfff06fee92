using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>The layer stack (xbert.py <c>BertEncoder</c>); its one field <c>layer</c> gives the keys <c>bert.encoder.layer.{i}.</c>.</summary>
internal sealed class BertEncoder : nn.Module
{
    private readonly ModuleList<BertLayer> layer;

    public BertEncoder(BertConfig config) : base("encoder")
    {
        layer = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new BertLayer(config, i)).ToArray());
        RegisterComponents();
    }

    /// <summary>Layer <paramref name="index"/>.</summary>
    public BertLayer this[int index] => layer[index];
}
