import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  ProductsCreateCommand,
  ProductsDeleteCommand,
  ProductsGetCommand,
  ProductsListCommand,
  ProductsUpdateCommand,
  type Page,
  type Product,
} from '@rocketlead/contracts';
import { ProductsService } from '../products/products.service';

/** Product commands, served by the command transport (queue group `integrations`). */
@Controller()
export class ProductsHandlers {
  constructor(private readonly products: ProductsService) {}

  @MessagePattern(COMMANDS.productsCreate)
  create(@Payload() command: ProductsCreateCommand): Promise<Product> {
    return this.products.create(command);
  }

  @MessagePattern(COMMANDS.productsList)
  list(@Payload() command: ProductsListCommand): Promise<Page<Product>> {
    return this.products.list(command);
  }

  @MessagePattern(COMMANDS.productsGet)
  get(@Payload() command: ProductsGetCommand): Promise<Product> {
    return this.products.get(command);
  }

  @MessagePattern(COMMANDS.productsUpdate)
  update(@Payload() command: ProductsUpdateCommand): Promise<Product> {
    return this.products.update(command);
  }

  @MessagePattern(COMMANDS.productsDelete)
  delete(@Payload() command: ProductsDeleteCommand): Promise<Product> {
    return this.products.delete(command);
  }
}
