namespace Umt.ThirdParty.SampleObjective;
internal static class Placeholder { }
