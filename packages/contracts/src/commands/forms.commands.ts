import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { COMMANDS } from '../names';
import {
  FORM_FIELD_TYPES,
  type Form,
  type FormFieldType,
  type FormSubmitResult,
  type FormVerifyResult,
  type Page,
  type PublicForm,
} from '../models';
import { IsNullable, NestedMessage } from '../message-validation';
import { PageCommand } from './page.command';
import { ByIdQuery, NAME_MAX } from './leads.commands';

// Messages of forms, which `leads` owns with the contacts their submissions create or update.

/** Bounds of forms and their submissions (README, "Limits"). */
export const FORM_LIMITS = {
  fieldsPerForm: 50,
  optionsPerField: 100,
  optionLength: 200,
  labelLength: 500,
  formsPerOrganization: 500,
  urlLength: 2000,
  /** Longest text value a submission may give one field. */
  valueLength: 5000,
  /** Submissions one client IP may make to one form in a minute (429 beyond). */
  submissionsPerMinute: 10,
  /** How long a verification link stays usable. */
  verificationHours: 48,
  bookingMinutesMin: 5,
  /** The length of a booking field's appointment when the field gives none. */
  bookingMinutesDefault: 30,
  bookingMinutesMax: 24 * 60,
} as const;

/** Field keys become data keys of the pool's entries: a letter, then letters, digits and `_`. */
export const FORM_FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** The honeypot: a hidden input humans leave empty; a submission that fills it is dropped. */
export const FORM_HONEYPOT_FIELD = '_hp';
/** The field identifying an existing contact when a form names none. */
export const FORM_DEFAULT_DEDUPE_KEY = 'email';

// ---- HTTP bodies (Connect API) ----

export class FormFieldBody {
  @Matches(FORM_FIELD_KEY, {
    message: 'key must start with a letter and hold only letters, digits and _ (at most 64)',
  })
  key: string;

  @IsString()
  @Length(1, FORM_LIMITS.labelLength)
  label: string;

  @IsIn(FORM_FIELD_TYPES, { message: `type must be one of ${FORM_FIELD_TYPES.join(', ')}` })
  type: FormFieldType;

  @IsOptional()
  @IsBoolean()
  required?: boolean;

  /** Required for `select`, refused for other types (checked by leads, which names the field). */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(FORM_LIMITS.optionsPerField)
  @IsString({ each: true })
  @Length(1, FORM_LIMITS.optionLength, { each: true })
  options?: string[] | null;

  /** For `booking` only; default FORM_LIMITS.bookingMinutesDefault (30). */
  @IsOptional()
  @IsInt()
  @Min(FORM_LIMITS.bookingMinutesMin)
  @Max(FORM_LIMITS.bookingMinutesMax)
  durationMinutes?: number | null;
}

/** The settings create and update share, all optional: defaults are filled in by leads on create. */
class FormSettingsBody {
  /** A field key; default `email`. */
  @IsOptional()
  @Matches(FORM_FIELD_KEY, { message: 'dedupeKey must be the key of one of the fields' })
  dedupeKey?: string;

  @IsOptional()
  @IsBoolean()
  doubleOptIn?: boolean;

  @IsOptional()
  @IsNullable()
  @IsUUID()
  bookingCalendarId?: string | null;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(FORM_LIMITS.urlLength)
  redirectUrl?: string | null;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(FORM_LIMITS.urlLength)
  webhookUrl?: string | null;
}

export class CreateFormBody extends FormSettingsBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;

  @IsUUID()
  tableId: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(FORM_LIMITS.fieldsPerForm)
  @NestedMessage(() => FormFieldBody, { each: true })
  fields: FormFieldBody[];
}

/** Any of the create fields; the result is checked as a whole again. */
export class UpdateFormBody extends FormSettingsBody {
  @IsOptional()
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  @IsOptional()
  @IsUUID()
  tableId?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(FORM_LIMITS.fieldsPerForm)
  @NestedMessage(() => FormFieldBody, { each: true })
  fields?: FormFieldBody[];
}

// ---- Commands ----

export class FormsCreateCommand extends CreateFormBody {
  @IsUUID()
  organizationId: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(200)
  traceparent?: string | null;
}

export class FormsListCommand extends PageCommand {
  @IsOptional()
  @IsUUID()
  tableId?: string;
}

export class FormsGetCommand extends ByIdQuery {}

export class FormsUpdateCommand extends UpdateFormBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(200)
  traceparent?: string | null;
}

export class FormsDeleteCommand extends ByIdQuery {}

/** Where a public request came from: no organization or token, only its trace identity. */
export class PublicRequestMessage {
  @IsString()
  @Length(1, 200)
  correlationId: string;

  @IsNullable()
  @IsString()
  @MaxLength(200)
  traceparent: string | null;
}

export class FormsPublicGetCommand {
  @IsUUID()
  id: string;
}

export class FormsSubmitCommand {
  @IsUUID()
  formId: string;

  /** The submitted values as sent (JSON values, or strings from an urlencoded body); leads checks them. */
  @IsObject()
  values: Record<string, unknown>;

  @IsObject()
  @NestedMessage(() => PublicRequestMessage)
  request: PublicRequestMessage;
}

export class FormsVerifyCommand {
  @IsString()
  @Length(1, 200)
  token: string;

  @IsObject()
  @NestedMessage(() => PublicRequestMessage)
  request: PublicRequestMessage;
}

/** Maps each command to its request class and response type, so callers and handlers agree. */
export interface FormsCommandMap {
  [COMMANDS.formsCreate]: [FormsCreateCommand, Form];
  [COMMANDS.formsList]: [FormsListCommand, Page<Form>];
  [COMMANDS.formsGet]: [FormsGetCommand, Form];
  [COMMANDS.formsUpdate]: [FormsUpdateCommand, Form];
  [COMMANDS.formsDelete]: [FormsDeleteCommand, Form];
  [COMMANDS.formsPublicGet]: [FormsPublicGetCommand, PublicForm];
  [COMMANDS.formsSubmit]: [FormsSubmitCommand, FormSubmitResult];
  [COMMANDS.formsVerify]: [FormsVerifyCommand, FormVerifyResult];
}

export const FORMS_COMMAND_CLASSES = {
  [COMMANDS.formsCreate]: FormsCreateCommand,
  [COMMANDS.formsList]: FormsListCommand,
  [COMMANDS.formsGet]: FormsGetCommand,
  [COMMANDS.formsUpdate]: FormsUpdateCommand,
  [COMMANDS.formsDelete]: FormsDeleteCommand,
  [COMMANDS.formsPublicGet]: FormsPublicGetCommand,
  [COMMANDS.formsSubmit]: FormsSubmitCommand,
  [COMMANDS.formsVerify]: FormsVerifyCommand,
} satisfies { [K in keyof FormsCommandMap]: new () => FormsCommandMap[K][0] };
