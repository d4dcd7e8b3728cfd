using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Pipeline;

/// <summary>
/// The one check for "column must be X", in one wording for every transform, estimator and trainer:
/// <c>{Role} column '{name}' not found; {user} expects {expected}.</c> and
/// <c>{Role} column '{name}' has type {type}; {user} expects {expected}.</c>, as <see cref="ArgumentOutOfRangeException"/>
/// (what ML.NET throws for a bad schema).
/// </summary>
internal static class SchemaCheck
{
    /// <summary>What text-model transforms read.</summary>
    public const string Text = "a text (string) column";

    /// <summary>What vector consumers read.</summary>
    public const string SingleVector = "a known-size vector of Single";

    /// <summary>The column <paramref name="name"/> of <paramref name="schema"/>, when its type is one <paramref name="accepts"/>.</summary>
    public static DataViewSchema.Column Require(DataViewSchema schema, string paramName, string role, string name, string user, string expected,
        Func<DataViewType, bool> accepts)
    {
        var column = schema.GetColumnOrNull(name) ?? throw Missing(paramName, role, name, user, expected);
        return accepts(column.Type) ? column : throw WrongType(paramName, role, name, $"{column.Type}", user, expected);
    }

    /// <summary>The column <paramref name="name"/> of <paramref name="shape"/>, when <paramref name="accepts"/> it.</summary>
    public static SchemaShape.Column Require(SchemaShape shape, string paramName, string role, string name, string user, string expected,
        Func<SchemaShape.Column, bool> accepts)
    {
        var found = shape.Where(c => c.Name == name).ToArray();
        if (found.Length == 0) throw Missing(paramName, role, name, user, expected);
        var column = found[^1];
        return accepts(column) ? column : throw WrongType(paramName, role, name, $"{column.ItemType} ({column.Kind})", user, expected);
    }

    /// <summary>True for a scalar text column shape.</summary>
    public static bool IsText(SchemaShape.Column c) => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType is TextDataViewType;

    /// <summary>The size of a known-size vector type (see <see cref="IsSingleVector"/>).</summary>
    public static int VectorSize(DataViewType type) => ((VectorDataViewType)type).Size;

    /// <summary>True for a known-size vector of Single.</summary>
    public static bool IsSingleVector(DataViewType type) =>
        type is VectorDataViewType { IsKnownSize: true, ItemType: var item } && item == NumberDataViewType.Single;

    private static ArgumentOutOfRangeException Missing(string paramName, string role, string name, string user, string expected) =>
        new(paramName, $"{role} column '{name}' not found; {user} expects {expected}.");

    private static ArgumentOutOfRangeException WrongType(string paramName, string role, string name, string type, string user, string expected) =>
        new(paramName, $"{role} column '{name}' has type {type}; {user} expects {expected}.");
}
