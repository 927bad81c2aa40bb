import { CommentAuthorType } from '@careflow/contracts';
import { PageDto } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'CommentAuthor' })
export class CommentAuthorDto {
  @ApiProperty({ enum: CommentAuthorType, example: 'agent' })
  type!: CommentAuthorType;
  @ApiProperty({ type: String, nullable: true, example: 'agent_7' })
  id!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'minh@shop.test' })
  email!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Minh' })
  name!: string | null;
}

@ApiSchema({ name: 'Attachment' })
export class AttachmentDto {
  @ApiProperty({ example: 'photo-of-damage.jpg' })
  name!: string;
  @ApiProperty({ example: 'image/jpeg' })
  contentType!: string;
  @ApiProperty({ type: 'integer', example: 183422 })
  size!: number;
  @ApiProperty({ example: 'https://files.shop.test/a/9f2c.jpg' })
  contentRef!: string;
}

@ApiSchema({ name: 'Comment' })
export class CommentDto {
  @ApiProperty({ format: 'uuid', example: '5a0d8a3e-27c1-4a11-8c7e-0d2b8f1f6e90' })
  id!: string;
  @ApiProperty({ format: 'uuid', example: '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11', description: 'The ticket it belongs to (a follow-up ticket when the original was closed).' })
  ticketId!: string;
  @ApiProperty({ example: 'Chúng tôi đã liên hệ với hãng vận chuyển.' })
  body!: string;
  @ApiProperty({ example: true })
  public!: boolean;
  @ApiProperty({ type: CommentAuthorDto })
  author!: CommentAuthorDto;
  @ApiProperty({ type: [AttachmentDto] })
  attachments!: AttachmentDto[];
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:45:00.000Z' })
  createdAt!: string;
}

@ApiSchema({ name: 'CommentPage' })
export class CommentPageDto extends PageDto {
  @ApiProperty({ type: [CommentDto] })
  data!: CommentDto[];
}

export const COMMENT_EXAMPLE: CommentDto = {
  id: '5a0d8a3e-27c1-4a11-8c7e-0d2b8f1f6e90',
  ticketId: '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11',
  body: 'Chúng tôi đã liên hệ với hãng vận chuyển và sẽ báo lại trong hôm nay.',
  public: true,
  author: { type: 'agent', id: 'agent_7', email: 'minh@shop.test', name: 'Minh' },
  attachments: [],
  createdAt: '2026-11-23T09:45:00.000Z',
};
