using System.Text;
using FoodCommunity.Api.Comments;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <remarks>
/// Add a migration (from the repository root):
/// <c>dotnet tool restore &amp;&amp; dotnet ef migrations add &lt;Name&gt; --context FoodCommunityDbContext --project src/FoodCommunity.Api --output-dir Infrastructure/Data/Migrations</c>.
/// Apply them with <c>dotnet FoodCommunity.Api.dll migrate</c> (see <see cref="MigrationCommand"/>).
/// </remarks>
public class FoodCommunityDbContext : DbContext
{
    public FoodCommunityDbContext(DbContextOptions<FoodCommunityDbContext> options)
        : base(options)
    {
    }

    /// <summary>For <see cref="ReplicaDbContext"/>: the same model over other options. (Pooling needs one public constructor.)</summary>
    protected FoodCommunityDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<User> Users => Set<User>();

    public DbSet<Follow> Follows => Set<Follow>();

    public DbSet<Block> Blocks => Set<Block>();

    public DbSet<AccountErasure> AccountErasures => Set<AccountErasure>();

    public DbSet<UserSearchTerm> UserSearchTerms => Set<UserSearchTerm>();

    public DbSet<Moderation.ModerationAction> ModerationActions => Set<Moderation.ModerationAction>();

    public DbSet<Post> Posts => Set<Post>();

    public DbSet<PostImage> PostImages => Set<PostImage>();

    public DbSet<Tag> Tags => Set<Tag>();

    public DbSet<PostTag> PostTags => Set<PostTag>();

    public DbSet<PostReport> PostReports => Set<PostReport>();

    public DbSet<ImageDeletion> ImageDeletions => Set<ImageDeletion>();

    public DbSet<PostIdempotencyKey> PostIdempotencyKeys => Set<PostIdempotencyKey>();

    public DbSet<Comment> Comments => Set<Comment>();

    public DbSet<PostLike> PostLikes => Set<PostLike>();

    public DbSet<LikeCheckpoint> LikeCheckpoints => Set<LikeCheckpoint>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // utf8mb4_unicode_ci exists on MySQL 8 and MariaDB 10.11 alike (utf8mb4_0900_ai_ci is MySQL only).
        modelBuilder.HasCharSet("utf8mb4").UseCollation("utf8mb4_unicode_ci");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(FoodCommunityDbContext).Assembly);
        base.OnModelCreating(modelBuilder);
        UseSnakeCaseNames(modelBuilder);
    }

    /// <summary>snake_case columns and indexes, so the hand-written SQL of the hot paths reads like ordinary MySQL.</summary>
    private static void UseSnakeCaseNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetDefaultName() ?? key.GetName()!));
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(ToSnakeCase(foreignKey.GetDefaultName() ?? foreignKey.GetConstraintName()!));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(ToSnakeCase(index.GetDefaultDatabaseName() ?? index.GetDatabaseName()!));
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    result.Append('_');
                }

                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
