using FoodCommunity.Api.Comments;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Users;
using FoodCommunity.Domain.Posts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FoodCommunity.Api.Infrastructure.Data.Configurations;

internal sealed class CommentConfiguration : IEntityTypeConfiguration<Comment>
{
    public void Configure(EntityTypeBuilder<Comment> builder)
    {
        builder.ToTable("comments");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Text).HasMaxLength(PostRules.CommentMaxLength).IsRequired();
        builder.Property(c => c.CreatedAt).HasPrecision(6);
        // A post's comments, oldest first: a range of (post_id, id).
        builder.HasIndex(c => new { c.PostId, c.Id });
        builder.HasOne<Post>().WithMany().HasForeignKey(c => c.PostId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FollowConfiguration : IEntityTypeConfiguration<Follow>
{
    public void Configure(EntityTypeBuilder<Follow> builder)
    {
        builder.ToTable("follows");
        builder.HasKey(f => new { f.FollowerId, f.FolloweeId });
        builder.Property(f => f.CreatedAt).HasPrecision(6);
        // Newest first, for both lists: whom I follow, and who follows me.
        builder.HasIndex(f => new { f.FollowerId, f.CreatedAt, f.FolloweeId });
        builder.HasIndex(f => new { f.FolloweeId, f.CreatedAt, f.FollowerId });
        builder.HasOne<User>().WithMany().HasForeignKey(f => f.FollowerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(f => f.FolloweeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class BlockConfiguration : IEntityTypeConfiguration<Block>
{
    public void Configure(EntityTypeBuilder<Block> builder)
    {
        builder.ToTable("blocks");
        builder.HasKey(b => new { b.BlockerId, b.BlockedId });
        builder.Property(b => b.CreatedAt).HasPrecision(6);
        // Everyone a user is hidden from, both ways: the blocker's range of the key, and this one.
        builder.HasIndex(b => new { b.BlockedId, b.BlockerId });
        // A user's own block list, newest first.
        builder.HasIndex(b => new { b.BlockerId, b.CreatedAt, b.BlockedId });
        builder.HasOne<User>().WithMany().HasForeignKey(b => b.BlockerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(b => b.BlockedId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ModerationActionConfiguration : IEntityTypeConfiguration<Moderation.ModerationAction>
{
    public void Configure(EntityTypeBuilder<Moderation.ModerationAction> builder)
    {
        builder.ToTable("moderation_actions");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Action).HasMaxLength(32).IsRequired();
        builder.Property(a => a.Reason).HasMaxLength(PostRules.ReportReasonMaxLength).IsRequired();
        builder.Property(a => a.CreatedAt).HasPrecision(6);
        // What was done to a post or a user, newest last; no foreign keys: the record outlives both.
        builder.HasIndex(a => new { a.PostId, a.CreatedAt });
        builder.HasIndex(a => new { a.UserId, a.CreatedAt });
    }
}

internal sealed class PostLikeConfiguration : IEntityTypeConfiguration<PostLike>
{
    public void Configure(EntityTypeBuilder<PostLike> builder)
    {
        builder.ToTable("post_likes");
        // No foreign key to posts: the write-behind flusher may apply a like after its post was
        // deleted, and skips such rows itself rather than failing a whole batch.
        builder.HasKey(l => new { l.PostId, l.UserId });
        builder.HasIndex(l => new { l.UserId, l.PostId });
        builder.Property(l => l.CreatedAt).HasPrecision(6);
    }
}

internal sealed class LikeCheckpointConfiguration : IEntityTypeConfiguration<LikeCheckpoint>
{
    public void Configure(EntityTypeBuilder<LikeCheckpoint> builder)
    {
        builder.ToTable("like_flush_checkpoints");
        builder.HasKey(c => c.Shard);
        builder.Property(c => c.Shard).ValueGeneratedNever();
        builder.Property(c => c.LastEventId).HasMaxLength(41).IsRequired().IsUnicode(false);
        builder.Property(c => c.UpdatedAt).HasPrecision(6);
    }
}
