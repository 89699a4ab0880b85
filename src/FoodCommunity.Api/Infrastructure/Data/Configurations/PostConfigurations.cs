using FoodCommunity.Domain.Uploads;
using FoodCommunity.Api.Posts;
using FoodCommunity.Domain.Posts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FoodCommunity.Api.Infrastructure.Data.Configurations;

internal sealed class PostConfiguration : IEntityTypeConfiguration<Post>
{
    public void Configure(EntityTypeBuilder<Post> builder)
    {
        builder.ToTable("posts");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Caption).HasMaxLength(PostRules.CaptionMaxLength).IsRequired();
        builder.Property(p => p.CreatedAt).HasPrecision(6);
        builder.Property(p => p.HiddenAt).HasPrecision(6);
        builder.Property(p => p.EditedAt).HasPrecision(6);
        // Latest feed: the primary key (UUIDv7, time-ordered). A user's posts: (author_id, id).
        builder.HasIndex(p => new { p.AuthorId, p.Id });
        builder.HasOne<Users.User>().WithMany().HasForeignKey(p => p.AuthorId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(p => p.Images).WithOne().HasForeignKey(i => i.PostId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(p => p.Tags).WithOne().HasForeignKey(t => t.PostId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PostImageConfiguration : IEntityTypeConfiguration<PostImage>
{
    public void Configure(EntityTypeBuilder<PostImage> builder)
    {
        builder.ToTable("post_images");
        builder.HasKey(i => new { i.PostId, i.Position });
        builder.Property(i => i.ImageKey).HasMaxLength(UploadKey.MaxLength).IsRequired();
        // An uploaded object belongs to one post at most.
        builder.HasIndex(i => i.ImageKey).IsUnique();
    }
}

internal sealed class TagConfiguration : IEntityTypeConfiguration<Tag>
{
    public void Configure(EntityTypeBuilder<Tag> builder)
    {
        builder.ToTable("tags");
        builder.HasKey(t => t.Id);
        // Binary collation: tags are lower-cased by the API, and "cafe" and "café" are different tags
        // (utf8mb4_unicode_ci would make them one).
        builder.Property(t => t.Name).HasMaxLength(PostRules.TagMaxLength).IsRequired().UseCollation("utf8mb4_bin");
        builder.HasIndex(t => t.Name).IsUnique();
    }
}

internal sealed class PostTagConfiguration : IEntityTypeConfiguration<PostTag>
{
    public void Configure(EntityTypeBuilder<PostTag> builder)
    {
        builder.ToTable("post_tags");
        // Tag feed: WHERE tag_id = ? AND post_id < ? ORDER BY post_id DESC, a range of this key.
        builder.HasKey(t => new { t.TagId, t.PostId });
        builder.HasIndex(t => t.PostId);
        builder.HasOne(t => t.Tag).WithMany().HasForeignKey(t => t.TagId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PostReportConfiguration : IEntityTypeConfiguration<PostReport>
{
    public void Configure(EntityTypeBuilder<PostReport> builder)
    {
        builder.ToTable("post_reports");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Reason).HasMaxLength(PostRules.ReportReasonMaxLength).IsRequired();
        builder.Property(r => r.CreatedAt).HasPrecision(6);
        builder.Property(r => r.ClosedAt).HasPrecision(6);
        // One report per user and post: a repeat is accepted and changes nothing.
        builder.HasIndex(r => new { r.PostId, r.ReporterId }).IsUnique();
        // The moderation queue: open reports, grouped by post.
        builder.HasIndex(r => new { r.ClosedAt, r.PostId });
        builder.HasOne<Post>().WithMany().HasForeignKey(r => r.PostId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ImageDeletionConfiguration : IEntityTypeConfiguration<ImageDeletion>
{
    public void Configure(EntityTypeBuilder<ImageDeletion> builder)
    {
        builder.ToTable("image_deletions");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.ImageKey).HasMaxLength(UploadKey.MaxLength).IsRequired();
        builder.Property(d => d.CreatedAt).HasPrecision(6);
        builder.Property(d => d.DeletingAt).HasPrecision(6);
        builder.Property(d => d.DeletedAt).HasPrecision(6);
        // Posts and avatars look their keys up here in their transactions: row locks on this index, not a scan.
        builder.HasIndex(d => d.ImageKey);
    }
}

internal sealed class PostIdempotencyKeyConfiguration : IEntityTypeConfiguration<PostIdempotencyKey>
{
    public void Configure(EntityTypeBuilder<PostIdempotencyKey> builder)
    {
        builder.ToTable("post_idempotency_keys");
        builder.HasKey(k => new { k.UserId, k.KeyHash });
        builder.Property(k => k.KeyHash).HasMaxLength(32).IsFixedLength();
        builder.Property(k => k.CreatedAt).HasPrecision(6);
        // No foreign key to posts: a key whose post was deleted must still answer "already created".
    }
}
