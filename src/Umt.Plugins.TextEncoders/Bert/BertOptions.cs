using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.TextEncoders.Bert;

/// <summary>
/// Options of the <c>bert</c> text encoder (<c>Umt:TextEncoder:Options:bert</c>): BERT-base or
/// BERT-large as the reference's xbert, with cross-attention in the last layers.
/// </summary>
public sealed class BertOptions
{
    /// <summary><c>base</c> (bert-base-uncased, 12 layers, 768 wide) or <c>large</c> (24 layers, 1024 wide).</summary>
    [Required]
    [RegularExpression("^(base|large)$", ErrorMessage = "Preset must be 'base' or 'large'.")]
    public string Preset { get; set; } = "base";

    /// <summary>
    /// Pretrained weights in HuggingFace's layout: <c>model.safetensors</c> or <c>pytorch_model.bin</c>
    /// (read as data). Null or empty: random initialisation (smoke runs). Cross-attention is always fresh.
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>WordPiece <c>vocab.txt</c>; null: bert-base-uncased's, shipped with the MiniLM package (the same file).</summary>
    public string? Vocab { get; set; }

    /// <summary>First layer with cross-attention; null: the reference's 9 for base (3 fusion layers), 19 for large (5).</summary>
    [Range(0, 24)]
    public int? FusionLayer { get; set; }

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
