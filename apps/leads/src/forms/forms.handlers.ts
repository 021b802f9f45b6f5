import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  FormsCreateCommand,
  FormsDeleteCommand,
  FormsGetCommand,
  FormsListCommand,
  FormsPublicGetCommand,
  FormsSubmitCommand,
  FormsUpdateCommand,
  FormsVerifyCommand,
  type Form,
  type FormSubmitResult,
  type FormVerifyResult,
  type Page,
  type PublicForm,
} from '@rocketlead/contracts';
import { FormSubmissionsService } from './form-submissions.service';
import { FormsService } from './forms.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class FormsHandlers {
  constructor(
    private readonly forms: FormsService,
    private readonly submissions: FormSubmissionsService,
  ) {}

  @MessagePattern(COMMANDS.formsCreate)
  create(@Payload() command: FormsCreateCommand): Promise<Form> {
    return this.forms.create(command);
  }

  @MessagePattern(COMMANDS.formsList)
  list(@Payload() command: FormsListCommand): Promise<Page<Form>> {
    return this.forms.list(command);
  }

  @MessagePattern(COMMANDS.formsGet)
  get(@Payload() command: FormsGetCommand): Promise<Form> {
    return this.forms.get(command);
  }

  @MessagePattern(COMMANDS.formsUpdate)
  update(@Payload() command: FormsUpdateCommand): Promise<Form> {
    return this.forms.update(command);
  }

  @MessagePattern(COMMANDS.formsDelete)
  delete(@Payload() command: FormsDeleteCommand): Promise<Form> {
    return this.forms.delete(command);
  }

  @MessagePattern(COMMANDS.formsPublicGet)
  publicGet(@Payload() command: FormsPublicGetCommand): Promise<PublicForm> {
    return this.forms.publicGet(command);
  }

  @MessagePattern(COMMANDS.formsSubmit)
  submit(@Payload() command: FormsSubmitCommand): Promise<FormSubmitResult> {
    return this.submissions.submit(command);
  }

  @MessagePattern(COMMANDS.formsVerify)
  verify(@Payload() command: FormsVerifyCommand): Promise<FormVerifyResult> {
    return this.submissions.verify(command);
  }
}
